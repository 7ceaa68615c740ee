/// What one client may cost the server: connections, time to send a request, header size.
///
/// A client that is slow on purpose (slowloris) or greedy (thousands of connections) gets a
/// clear answer — 408, 431 or 503, with `Connection: close` — and is counted in
/// `paka_http_refused_total{reason}`, instead of holding the host's sockets and memory.
public struct HTTPLimits: Sendable {
    /// Open connections beyond this are answered 503 (`PAKA_HTTP_MAX_CONNECTIONS`).
    public var maximumConnections = 1024
    /// From the first byte of a request to the end of its headers (`PAKA_HTTP_HEADER_TIMEOUT_MS`).
    public var headerTimeoutMilliseconds: Int64 = 10_000
    /// Longest silence while a request body is being sent (`PAKA_HTTP_BODY_TIMEOUT_MS`).
    public var bodyTimeoutMilliseconds: Int64 = 30_000
    /// A keep-alive connection with no request for this long is closed (`PAKA_HTTP_IDLE_TIMEOUT_MS`).
    public var idleTimeoutMilliseconds: Int64 = 75_000
    /// All request header fields together (`PAKA_HTTP_MAX_HEADER_BYTES`); larger is 431.
    public var maximumHeaderBytes = 32 * 1024

    public init() {}

    init(_ env: [String: String]) {
        func positive(_ name: String) -> Int64? { env[name].flatMap { Int64($0) }.flatMap { $0 > 0 ? $0 : nil } }
        if let value = positive("PAKA_HTTP_MAX_CONNECTIONS") { maximumConnections = Int(value) }
        if let value = positive("PAKA_HTTP_HEADER_TIMEOUT_MS") { headerTimeoutMilliseconds = value }
        if let value = positive("PAKA_HTTP_BODY_TIMEOUT_MS") { bodyTimeoutMilliseconds = value }
        if let value = positive("PAKA_HTTP_IDLE_TIMEOUT_MS") { idleTimeoutMilliseconds = value }
        if let value = positive("PAKA_HTTP_MAX_HEADER_BYTES") { maximumHeaderBytes = Int(value) }
    }
}

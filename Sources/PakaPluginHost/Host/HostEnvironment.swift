import Foundation

/// The host's settings from the environment (DESIGN.md's table), each with its default.
public struct HostEnvironment: Sendable {
    public var kafkaBrokers: String
    public var kafkaClientId: String
    public var port: Int
    public var bindAddress: String
    public var databaseURL: String?
    public var jwtSecret: String?
    public var pluginsFile: String
    public var dataDirectory: String
    /// Largest `POST /upload` body accepted (`PAKA_UPLOAD_LIMIT_BYTES`, default 20 MB).
    public var uploadLimitBytes: Int
    public var allowInsecurePlugins: Bool
    /// Connection, time and header-size limits of the HTTP server (`PAKA_HTTP_*`).
    public var httpLimits: HTTPLimits
    /// Names this host in its consumer groups (`group.instance.id` = `<id>-<plugin>`, static
    /// membership): `PAKA_INSTANCE_ID`, default the host name; nil when
    /// `PAKA_STATIC_MEMBERSHIP=0`. Two hosts on one machine need different ids.
    public var instanceId: String?
    public var raw: [String: String]

    public init(_ env: [String: String] = ProcessInfo.processInfo.environment) {
        raw = env
        kafkaBrokers = env["KAFKA_BROKERS"].nonEmpty ?? "localhost:9092"
        kafkaClientId = env["KAFKA_CLIENT_ID"].nonEmpty ?? "paka-api"
        port = env["PORT"].flatMap { Int($0) } ?? 3000
        bindAddress = env["PAKA_BIND"].nonEmpty ?? "0.0.0.0"
        databaseURL = env["DATABASE_URL"].nonEmpty
        jwtSecret = env["JWT_SECRET"].nonEmpty
        pluginsFile = env["PAKA_PLUGINS_FILE"].nonEmpty ?? "plugins.json"
        dataDirectory = env["PAKA_DATA_DIR"].nonEmpty ?? "data"
        uploadLimitBytes = env["PAKA_UPLOAD_LIMIT_BYTES"].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil } ?? 20 * 1024 * 1024
        httpLimits = HTTPLimits(env)
        allowInsecurePlugins = ["1", "true", "yes"].contains(env["PAKA_ALLOW_INSECURE_PLUGINS"]?.lowercased() ?? "")
        instanceId = ["0", "false", "no"].contains(env["PAKA_STATIC_MEMBERSHIP"]?.lowercased() ?? "")
            ? nil : env["PAKA_INSTANCE_ID"].nonEmpty ?? ProcessInfo.processInfo.hostName
    }
}

extension Optional where Wrapped == String {
    var nonEmpty: String? {
        switch self {
        case .some(let s) where !s.isEmpty: s
        default: nil
        }
    }
}

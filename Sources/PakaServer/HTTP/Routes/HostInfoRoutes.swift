import Foundation
import Hummingbird

/// `GET /host` (scope `read`): what the console's host section shows — the host's version,
/// process id, when it started, its memory, and whether events go through Kafka or are processed
/// synchronously (the seed's fallback).
struct HostInfoRoutes {
    let api: HTTPAPI

    /// The host's own version (the OpenAPI document's `info.version` is the API's).
    static let version = "1.0.0"

    struct Answer: Encodable {
        var ok = true
        var version: String
        var pid: Int32
        var startedAt: Date
        var uptimeSeconds: Double
        /// Resident set size, from /proc/self/status (nil where there is no procfs).
        var residentBytes: Int?
        var kafkaConnected: Bool
        var brokers: String
        /// `kafka`, or `synchronous` while Kafka is not connected (the fallback).
        var mode: String
        var plugins: Int
    }

    func add(to routes: some RouterMethods<PakaRequestContext>) {
        routes.get("/host") { _, _ in
            let kafka = api.app.kafkaStatus()
            let started = ProcessStart.time
            return JSONResponse.make(Answer(
                version: Self.version, pid: getpid(), startedAt: started, uptimeSeconds: max(0, Date().timeIntervalSince(started)),
                residentBytes: ProcessStart.residentBytes(), kafkaConnected: kafka.connected, brokers: kafka.brokers,
                mode: kafka.connected ? "kafka" : "synchronous", plugins: api.app.registry.statuses().count))
        }
    }
}

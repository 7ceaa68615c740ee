import Foundation
import PakaPipeline

/// The host's settings, read from the environment here and nowhere else, each with its default
/// (README.md's "Environment" paragraph lists the variables; their names and defaults are a
/// contract with deployments: `PORT` 3000, `KAFKA_BROKERS` `localhost:9092`, …). Each owner gets its own part: the HTTP server its port, bind
/// address and ``HTTPLimits``, the Kafka side its ``PipelineConfiguration``.
public struct HostEnvironment: Sendable {
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
    /// Brokers, topic creation, event size limit, static membership (`KAFKA_*`, `PAKA_MAX_EVENT_BYTES`,
    /// `PAKA_INSTANCE_ID`, `PAKA_STATIC_MEMBERSHIP`).
    public var pipeline: PipelineConfiguration
    /// How often the plugin directory and plugins.json are looked at; nil when `PAKA_WATCH=0`.
    public var watchInterval: Duration?
    /// The whole environment, for `${VAR}` expansion in plugins.json only.
    public var raw: [String: String]

    public init(_ env: [String: String] = ProcessInfo.processInfo.environment) {
        raw = env
        port = env["PORT"].flatMap { Int($0) } ?? 3000
        bindAddress = env["PAKA_BIND"].nonEmpty ?? "0.0.0.0"
        databaseURL = env["DATABASE_URL"].nonEmpty
        jwtSecret = env["JWT_SECRET"].nonEmpty
        pluginsFile = env["PAKA_PLUGINS_FILE"].nonEmpty ?? "plugins.json"
        dataDirectory = env["PAKA_DATA_DIR"].nonEmpty ?? "data"
        uploadLimitBytes = env["PAKA_UPLOAD_LIMIT_BYTES"].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil } ?? 20 * 1024 * 1024
        httpLimits = HTTPLimits(env)
        allowInsecurePlugins = ["1", "true", "yes"].contains(env["PAKA_ALLOW_INSECURE_PLUGINS"]?.lowercased() ?? "")
        pipeline = PipelineConfiguration(environment: env)
        watchInterval = env["PAKA_WATCH"] == "0"
            ? nil : env["PAKA_WATCH_INTERVAL_MS"].flatMap { Int($0) }.map { Duration.milliseconds(max($0, 10)) } ?? .milliseconds(250)
    }

    /// `KAFKA_BROKERS` as configured ("embedded" for the in-host cluster).
    public var kafkaBrokers: String { pipeline.kafka.brokers }
    /// `KAFKA_CLIENT_ID`, reported by `GET /kafka/status`.
    public var kafkaClientId: String { pipeline.kafka.clientId }
}

extension Optional where Wrapped == String {
    var nonEmpty: String? {
        switch self {
        case .some(let s) where !s.isEmpty: s
        default: nil
        }
    }
}

import Foundation
import PakaKafka

/// The Kafka side's settings, each with its default; read from the environment in one place
/// (``init(environment:)``), so nothing below asks the environment again.
public struct PipelineConfiguration: Sendable, Equatable {
    /// Brokers, client id and extra librdkafka properties (`KAFKA_BROKERS`, `KAFKA_CLIENT_ID`,
    /// `KAFKA_PROPERTY_*`). `KAFKA_BROKERS=embedded` runs a mock cluster inside the host.
    public var kafka = KafkaConfiguration()
    /// Partitions of the topics the host creates (`KAFKA_TOPIC_PARTITIONS`).
    public var topicPartitions: Int32 = 3
    /// Replication of the topics the host creates; -1 = the brokers' default (`KAFKA_REPLICATION_FACTOR`).
    public var replicationFactor: Int16 = -1
    /// A consumed event larger than this is poison (`PAKA_MAX_EVENT_BYTES`).
    public var maxEventBytes = 1 << 20
    /// Static group membership: each consumer joins as `<instanceId>-<plugin>` (`PAKA_INSTANCE_ID`,
    /// default the host name; nil when `PAKA_STATIC_MEMBERSHIP=0`).
    public var instanceId: String?

    public init() {}

    /// True when `KAFKA_BROKERS=embedded`: the host runs its own mock cluster.
    public var runsEmbeddedCluster: Bool { kafka.brokers == "embedded" }

    public init(environment env: [String: String]) {
        kafka = KafkaConfiguration.fromEnvironment(env)
        if let value = env["KAFKA_TOPIC_PARTITIONS"].flatMap({ Int32($0) }), value > 0 { topicPartitions = value }
        if let value = env["KAFKA_REPLICATION_FACTOR"].flatMap({ Int16($0) }) { replicationFactor = value }
        if let value = env["PAKA_MAX_EVENT_BYTES"].flatMap({ Int($0) }), value > 0 { maxEventBytes = value }
        let staticMembership = !["0", "false", "no"].contains(env["PAKA_STATIC_MEMBERSHIP"]?.lowercased() ?? "")
        if staticMembership {
            instanceId = env["PAKA_INSTANCE_ID"].flatMap { $0.isEmpty ? nil : $0 } ?? ProcessInfo.processInfo.hostName
        }
    }
}

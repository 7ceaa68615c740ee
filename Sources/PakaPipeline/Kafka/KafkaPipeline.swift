import Foundation
import Logging
import PakaKafka
import PakaPluginHost
import ServiceLifecycle

/// Everything Kafka in one host: the embedded cluster (when `KAFKA_BROKERS=embedded`), the
/// producer bus, the connection monitor and the consumer supervisor.
public final class KafkaPipeline: Sendable {
    public let bus: KafkaBus
    public let supervisor: ConsumerSupervisor
    /// Kept alive for the life of the host; destroyed only after every client is gone.
    public let embeddedCluster: EmbeddedKafkaCluster?
    let monitor: ConnectionMonitor
    /// Re-publishes what the synchronous fallback deferred; writes spool lines held in memory.
    let replay: DeferredReplay
    /// Consumer settings and logger for the operator's short-lived `.dlq` readers.
    private let readerConfiguration: KafkaConfiguration
    private let readerLogger: Logger

    /// The broker list in use: the embedded cluster's bootstrap list, or `KAFKA_BROKERS`.
    public var brokers: String { bus.configuration.brokers }

    public init(configuration settings: PipelineConfiguration, extraProperties: [String: String], registry: PluginRegistry, spool: LocalSpool,
                observer: (any PipelineObserver)? = nil, logger: Logger) throws(KafkaError) {
        var kafkaLogger = logger
        kafkaLogger[metadataKey: "component"] = "kafka"
        var configuration = settings.kafka
        // plugins.json's "kafka" section first, the environment wins.
        configuration.properties = extraProperties.merging(configuration.properties) { _, env in env }
        let provisioner = TopicProvisioner(partitions: settings.topicPartitions, replicationFactor: settings.replicationFactor)
        var consumerConfiguration = configuration
        if settings.runsEmbeddedCluster {
            let cluster = try EmbeddedKafkaCluster(brokerCount: 3, logger: kafkaLogger)
            provisioner.ensureTopics(in: cluster, logger: kafkaLogger)
            configuration.brokers = cluster.bootstrapServers
            consumerConfiguration.brokers = cluster.bootstrapServers
            // The mock cluster takes session.timeout.ms to rebalance after a member leaves
            // (consumer restarts on swap or disable) and answers an empty Fetch only after
            // fetch.wait.max.ms; keep both short.
            consumerConfiguration.properties.merge(EmbeddedKafkaCluster.fastConsumerProperties) { mine, _ in mine }
            embeddedCluster = cluster
            kafkaLogger.info("embedded Kafka cluster running", metadata: ["bootstrap": "\(cluster.bootstrapServers)"])
        } else {
            embeddedCluster = nil
        }
        let isEmbedded = embeddedCluster != nil
        let producerConfiguration = configuration
        let provisionLogger = kafkaLogger
        let replay = DeferredReplay(spool: spool, logger: kafkaLogger) {
            if !isEmbedded { provisioner.ensureTopics(configuration: producerConfiguration, logger: provisionLogger) }
        }
        bus = try KafkaBus(configuration: configuration, logger: kafkaLogger) { connected in
            if connected { replay.kafkaConnected() }
        }
        replay.bus = bus
        self.replay = replay
        supervisor = ConsumerSupervisor(
            registry: registry, bus: bus, consumerConfiguration: consumerConfiguration,
            maxEventBytes: settings.maxEventBytes, observer: observer, logger: kafkaLogger)
        supervisor.instanceId = settings.instanceId
        monitor = ConnectionMonitor(bus: bus)
        readerConfiguration = consumerConfiguration
        readerLogger = kafkaLogger
    }

    /// A reader of `<topic>.dlq` for one dead-letter listing (no group, never commits). One per
    /// request rather than one kept open: an idle client keeps broker connections and threads.
    package func makeDeadLetterReader() throws(KafkaError) -> KafkaTopicReader {
        try KafkaTopicReader(configuration: readerConfiguration, logger: readerLogger)
    }

    /// Long-running parts, in start order (the service group stops them in reverse, each after
    /// the ones started later have ended): the connection monitor, the deferred-event replayer,
    /// `replays` (the operator's dead-letter replays: they end after the consumers and before
    /// the producer flushes, since a replay may write a new dead letter), the consumers.
    package func services(replays: DeadLetterReplayer) -> [any Service] { [monitor, replay, replays, supervisor] }

    /// The producer's flush (bounded, 5 s) and stop, as a step of the host's shutdown: placed
    /// before `services` so that it runs once nothing produces any more.
    package func producerFlush(journal: ShutdownJournal?) -> ShutdownStep {
        ShutdownStep("producer flush", journal: journal, logger: readerLogger) { [bus] in bus.shutdown(timeout: .seconds(5)) }
    }

    /// The embedded cluster's end, as the last step of the host's shutdown (first in the list):
    /// destroyed earlier, the producer and consumers still talking to it would log
    /// `Connection refused` while they stop. Nil when the brokers are external.
    package func embeddedClusterShutdown(journal: ShutdownJournal?) -> ShutdownStep? {
        embeddedCluster.map { cluster in
            ShutdownStep("embedded Kafka cluster", journal: journal, logger: readerLogger) { cluster.shutdown() }
        }
    }

    public func status(clientId: String) -> KafkaStatus {
        let connected = bus.isConnected
        return KafkaStatus(connected: connected, brokers: brokers, clientId: clientId, consumers: connected ? supervisor.activeGroups : [])
    }

}

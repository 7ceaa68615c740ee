import Logging
import PakaKafka
import PakaPluginHost

/// Creates the seed's eight topics and their `.dlq` topics when they are missing.
///
/// Already-existing topics are fine; a broker that refuses CreateTopics (librdkafka's mock
/// cluster does, so do some managed clusters) is a warning: the topics may be auto-created or
/// made by the operator.
struct TopicProvisioner: Sendable {
    var partitions: Int32
    var replicationFactor: Int16

    static var topicNames: [String] { Topics.all + Topics.all.map(Topics.deadLetter(of:)) }

    func ensureTopics(configuration: KafkaConfiguration, logger: Logger) {
        do {
            let admin = try KafkaAdmin(configuration: configuration, logger: logger)
            let results = admin.createTopics(Self.topicNames, partitions: partitions, replicationFactor: replicationFactor, timeout: .seconds(5))
            let created = results.filter { if case .created = $0.outcome { true } else { false } }.map(\.topic)
            let failed = results.compactMap { result -> String? in
                if case .failed(let why) = result.outcome { "\(result.topic): \(why)" } else { nil }
            }
            if !created.isEmpty { logger.info("Kafka topics created", metadata: ["topics": "\(created.joined(separator: ","))"]) }
            if !failed.isEmpty {
                logger.warning("could not create some Kafka topics; relying on auto-creation or the operator",
                               metadata: ["count": "\(failed.count)", "first": "\(failed[0])"])
            }
        } catch {
            logger.warning("could not create Kafka topics", metadata: ["error": "\(error)"])
        }
    }

    /// The embedded cluster has no CreateTopics API: make the topics in the mock directly.
    func ensureTopics(in cluster: EmbeddedKafkaCluster, logger: Logger) {
        for topic in Self.topicNames {
            do { try cluster.createTopic(topic, partitions: partitions) } catch {
                logger.warning("could not create topic in the embedded cluster", metadata: ["topic": "\(topic)", "error": "\(error)"])
            }
        }
    }
}

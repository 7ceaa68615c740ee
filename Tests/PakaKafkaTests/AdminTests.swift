import Foundation
import PakaKafka
import Testing

@Suite struct AdminTests {
    @Test func createTopicsOnTheMockClusterAnswersPerTopicWithoutHanging() async throws {
        let cluster = try EmbeddedKafkaCluster(brokerCount: 1, logger: CapturedLogs().logger())
        defer { cluster.shutdown() }
        let admin = try KafkaAdmin(
            configuration: KafkaConfiguration(brokers: cluster.bootstrapServers),
            logger: CapturedLogs().logger())
        let results = await admin.createTopics(["alpha", "beta"], partitions: 3, replicationFactor: 1,
                                               timeout: .seconds(2))
        #expect(results.map(\.topic) == ["alpha", "beta"])
        for result in results {
            switch result.outcome {
            case .created, .alreadyExists: break
            case .failed(let reason): #expect(reason.contains("controller") || reason.contains("support"))
            }
        }
    }

    @Test func createTopicsAgainstAnUnreachableClusterFailsWithinTheTimeout() async throws {
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(brokers: "127.0.0.1:1"),
                                   logger: CapturedLogs().logger())
        let results = await admin.createTopics(["gamma"], partitions: 1, replicationFactor: 1,
                                               timeout: .seconds(1))
        #expect(results.count == 1)
        #expect(results.first?.topicExists == false)
    }

    @Test func invalidTopicSpecificationFailsLocally() async throws {
        let admin = try KafkaAdmin(configuration: KafkaConfiguration(brokers: "127.0.0.1:1"),
                                   logger: CapturedLogs().logger())
        let results = await admin.createTopics(["bad"], partitions: -5, replicationFactor: 1,
                                               timeout: .seconds(1))
        guard case .failed(let reason)? = results.first?.outcome else {
            Issue.record("expected failure, got \(results)")
            return
        }
        #expect(reason.contains("invalid topic specification"))
    }
}

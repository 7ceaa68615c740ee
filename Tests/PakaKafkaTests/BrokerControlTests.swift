import Foundation
import PakaKafka
import PakaTestSupport
import Testing

/// `paka broker --control`: the outage drills' line protocol, as the outage tests drive it.
@Suite struct BrokerControlTests {
    @Test func commandsTakeABrokerDownAndUpAndClientsSeeIt() async throws {
        let cluster = try BrokerProcess(brokers: 1, topics: [("drill", 1)])
        defer { cluster.shutdown() }
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(brokers: cluster.bootstrapServers,
                                              properties: ["reconnect.backoff.ms": "50", "reconnect.backoff.max.ms": "200"]),
            logger: CapturedLogs().logger())
        defer { producer.shutdown(timeout: .milliseconds(300)) }
        #expect(await producer.checkConnection(timeout: .seconds(5)))
        try cluster.setAllBrokersDown()
        #expect(await producer.checkConnection(timeout: .milliseconds(500)) == false)
        try cluster.setBrokerUp(1)
        #expect(await eventually(attempts: 50) { await producer.checkConnection(timeout: .seconds(1)) })
        #expect(try await producer.send(topic: "drill", value: bytes("after")).offset == 0)
    }

    @Test func aCommandItCannotReadIsAnErrorNamingTheCommandsAndTheBrokerKeepsAnswering() throws {
        let cluster = try BrokerProcess(brokers: 2)
        defer { cluster.shutdown() }
        #expect { try cluster.setBrokerDown(3) } throws: { "\($0)".contains("answered 'error: no broker '3' (ids are 1...2 or all)'") }
        #expect { try cluster.createTopic("bad", partitions: 0) } throws: { "\($0)".contains("is not a number > 0") }
        try cluster.setPartitionLeader(topic: "audit.event", partition: 0, broker: 2)
        try cluster.setGroupCoordinator(group: "paka-audit-logger", broker: 1)
    }
}

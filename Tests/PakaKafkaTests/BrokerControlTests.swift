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
        #expect(await eventually { await producer.checkConnection(timeout: .seconds(1)) })
        #expect(try await producer.send(topic: "drill", value: bytes("after")).offset == 0)
    }

    @Test func badArgumentsAreErrorsSayingWhyAndTheBrokerKeepsAnswering() throws {
        let cluster = try BrokerProcess(brokers: 2)
        defer { cluster.shutdown() }
        #expect { try cluster.setBrokerDown(3) } throws: { "\($0)".contains("answered 'error: no broker '3' (ids are 1...2 or all)'") }
        #expect { try cluster.createTopic("bad", partitions: 0) } throws: { "\($0)".contains("is not a number > 0") }
        // Counts the mock would try to allocate at once (it aborts its process when it cannot).
        #expect { try cluster.createTopic("huge", partitions: 2_000_000_000) } throws: { "\($0)".contains("give 1...10000") }
        #expect { try cluster.setPartitionLeader(topic: "huge", partition: .max, broker: 1) } throws: { "\($0)".contains("outside 0..<10000") }
        // A command the mock itself refuses is an error too, not "ok".
        #expect { try cluster.setPartitionLeader(topic: "audit.event", partition: 99, broker: 1) } throws: { "\($0)".contains("could not make broker 1 lead audit.event/99") }
        try cluster.setPartitionLeader(topic: "audit.event", partition: 0, broker: 2)
        try cluster.setGroupCoordinator(group: "paka-audit-logger", broker: 1)
    }
}

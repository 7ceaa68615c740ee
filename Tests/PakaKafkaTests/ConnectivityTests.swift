import Foundation
import PakaKafka
import PakaTestSupport
import Testing

@Suite struct ConnectivityTests {
    @Test func allBrokersDownFailsDeliveryOnceAfterTheMessageTimeoutAndSendingRecoversWhenTheyReturn()
        async throws
    {
        let topic = "outage"
        // In a child process: taking brokers down in this one is unsafe (see BrokerProcess).
        let cluster = try BrokerProcess(brokers: 3, topics: [(topic, 1)])
        defer { cluster.shutdown() }
        let logs = CapturedLogs()
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(
                brokers: cluster.bootstrapServers,
                properties: ["message.timeout.ms": "1500", "reconnect.backoff.ms": "50",
                             "reconnect.backoff.max.ms": "200"]),
            logger: logs.logger())
        defer { producer.shutdown(timeout: .milliseconds(500)) }
        #expect(!producer.isConnected)  // nothing proven yet
        #expect(await producer.checkConnection(timeout: .seconds(5)))
        #expect(producer.isConnected)
        _ = try await producer.send(topic: topic, value: bytes("before"))

        try cluster.setAllBrokersDown()
        // librdkafka's error callback (_ALL_BROKERS_DOWN) flips the state on its own...
        #expect(await eventually { !producer.isConnected })
        // ...and an explicit check agrees.
        #expect(await producer.checkConnection(timeout: .seconds(1)) == false)
        #expect(producer.isConnected == false)

        let callbacks = Counter()
        try producer.send(topic: topic, value: bytes("during"), onDelivery: callbacks.record)
        #expect(await eventually { callbacks.count > 0 })
        try await Task.sleep(for: .milliseconds(500))  // a second callback would show up here
        #expect(callbacks.count == 1)
        if case .failure(let error) = callbacks.results.first {
            #expect(error.code == KafkaError.Code.messageTimedOut)
            #expect(error.message.contains("message.timeout.ms"))
        } else {
            Issue.record("expected a delivery failure, got \(callbacks.results)")
        }

        try cluster.setAllBrokersUp()
        #expect(await eventually { await producer.checkConnection(timeout: .seconds(1)) })
        #expect(producer.isConnected)
        var delivered: KafkaDelivery?
        for _ in 0..<5 where delivered == nil {
            delivered = try? await producer.send(topic: topic, value: bytes("after"))
        }
        #expect(delivered?.topic == topic)
        #expect(producer.fatalError == nil)
    }

    @Test func checkConnectionIsFalseWhenNothingListens() async throws {
        let producer = try KafkaProducer(
            configuration: KafkaConfiguration(brokers: "127.0.0.1:1"),
            logger: CapturedLogs().logger())
        defer { producer.shutdown(timeout: .milliseconds(100)) }
        #expect(await producer.checkConnection(timeout: .milliseconds(500)) == false)
        #expect(!producer.isConnected)
    }
}

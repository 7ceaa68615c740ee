import Foundation
import PakaKafka
@testable import PakaPipeline
@testable import PakaPluginHost
import PakaTestSupport
import Synchronization
import Testing

/// Dead letters are produced without waiting: a partition holds until its dead letter is
/// acknowledged, while the plugin's other partitions keep flowing.
@Suite struct PoisonBurstTests {
    @Test func aPoisonBurstWhoseDeadLettersAwaitTheBrokerDoesNotStallOtherPartitions() async throws {
        // Dead letters queue up while their broker is down instead of failing at once.
        let harness = try PipelineHarness(partitions: 2, messageTimeoutMs: 120_000)
        let topic = PipelineHarness.topic, dlq = Topics.deadLetter(of: topic)
        // The plugin's partitions and its group live on broker 1, the dead-letter topic on broker 3.
        for partition: Int32 in 0..<2 {
            try harness.cluster.setPartitionLeader(topic: topic, partition: partition, broker: 1)
            try harness.cluster.setPartitionLeader(topic: dlq, partition: partition, broker: 3)
        }
        try harness.cluster.setGroupCoordinator(group: "paka-scripted", broker: 1)
        try harness.cluster.setBrokerDown(3)

        let producer = harness.bus.currentProducer
        var poisoned: Int32 = -1
        for _ in 0..<5 { poisoned = try await producer.send(topic: topic, key: Array("poison".utf8), value: Array("not json".utf8)).partition }
        let consumer = try harness.startConsumer()
        // All five dead letters are on their way at once, none answered (their broker is down).
        #expect(await eventually(30) { consumer.loop.deadLetterAcks.inFlight.load(ordering: .relaxed) == 5 })

        var flowing: Set<String> = [], all: Set<String> = []
        for i in 0..<20 {
            let event = harness.event("good-\(i)", key: "key-\(i)")
            let delivery = try await producer.send(topic: topic, key: Array(event.subject.utf8), value: event.jsonBytes)
            all.insert(event.id)
            if delivery.partition != poisoned { flowing.insert(event.id) }
        }
        try #require(!flowing.isEmpty, "no key landed in the other partition")
        #expect(await eventually(30) { flowing.isSubset(of: Set(harness.recorded.map(\.id))) })
        // The other partition was handled while the poison's dead letters still waited.
        #expect(consumer.loop.deadLetterAcks.inFlight.load(ordering: .relaxed) == 5)

        try harness.cluster.setBrokerUp(3)
        #expect(await eventually(60) { consumer.loop.deadLetterAcks.inFlight.load(ordering: .relaxed) == 0 })
        #expect(Set(harness.recorded.map(\.id)) == all)
        await consumer.stop()
        let letters = try await harness.readAll(dlq, expecting: 5)
        #expect(letters.count == 5)
        #expect(letters.allSatisfy { $0.headers.contains { $0.name == "paka-error" } })
    }
}

/// Stopping while dead letters wait for their broker: the loop waits for them (bounded), so the
/// final commit covers the poison and the next owner does not dead-letter it again.
@Suite struct DeadLetterAtStopTests {
    @Test func aStopWhileADeadLetterIsUnansweredWaitsForItAndTheNextOwnerDoesNotWriteItAgain() async throws {
        // Reconnects at most 200 ms apart: with librdkafka's 10 s cap, a broker down for long on a
        // busy machine is seen back only after the stop's wait has ended.
        let harness = try PipelineHarness(partitions: 1, messageTimeoutMs: 60_000, properties: ["reconnect.backoff.max.ms": "200"])
        let topic = PipelineHarness.topic, dlq = Topics.deadLetter(of: topic)
        try harness.cluster.setPartitionLeader(topic: topic, partition: 0, broker: 1)
        try harness.cluster.setPartitionLeader(topic: dlq, partition: 0, broker: 3)
        try harness.cluster.setGroupCoordinator(group: "paka-scripted", broker: 1)
        let producer = harness.bus.currentProducer
        _ = try await producer.send(topic: topic, key: Array("poison".utf8), value: Array("not json".utf8))
        try harness.cluster.setBrokerDown(3)
        // A long wait, so that a loaded machine's slow reconnect cannot decide the outcome (the
        // host waits 10 s; this proves the stop waits and settles, not how fast a broker returns).
        let first = try harness.startConsumer(deadLetterWaitAtStop: .seconds(90))
        #expect(await eventually(30) { first.loop.deadLetterAcks.inFlight.load(ordering: .relaxed) == 1 })

        // The stop begins while the dead letter's broker is down; it comes back meanwhile.
        let stopping = Task.detached { await first.stop() }
        try await Task.sleep(for: .milliseconds(500))
        try harness.cluster.setBrokerUp(3)
        await stopping.value
        #expect(first.loop.deadLetterAcks.inFlight.load(ordering: .relaxed) == 0)

        // The next owner of the partition starts after the poison: nothing is written twice.
        let good = harness.event("after-restart")
        _ = try await producer.send(topic: topic, key: Array(good.subject.utf8), value: good.jsonBytes)
        let second = try harness.startConsumer()
        #expect(await eventually(30) { harness.recorded.map(\.id).contains("after-restart") })
        await second.stop()
        let letters = try await harness.readAll(dlq, expecting: 2)
        #expect(letters.count == 1)
    }
}

import Foundation
import PakaKafka
@testable import PakaPipeline
@testable import PakaPluginHost
import PakaTestSupport
import Testing

/// At-least-once delivery through a real (embedded) Kafka cluster: publish → consume → plugin,
/// retries, dead letters, poison, restarts.
@Suite struct DeliveryTests {
    @Test func publishedEventIsConsumedAndHandledByThePlugin() async throws {
        let harness = try PipelineHarness()
        let consumer = try harness.startConsumer()
        let receipt = await harness.router.publish(harness.event("e-1"))
        #expect(receipt.mode == .kafka)
        #expect(await eventually { harness.recorded.map(\.id) == ["e-1"] })
        await consumer.stop()
    }

    @Test func retryTwiceThenOKIsHandledThreeTimesInOrderWhileLaterEventsWait() async throws {
        let harness = try PipelineHarness()
        for (id, data) in [("first", #""retry-until-3""#), ("second", "{}"), ("third", "{}")] {
            _ = await harness.router.publish(harness.event(id, key: "same-resource", data: data))
        }
        let consumer = try harness.startConsumer()
        #expect(await eventually { harness.recorded.count == 3 })
        await consumer.stop()
        #expect(harness.recorded.map(\.id) == ["first", "second", "third"])
        #expect(harness.recorded.first?.attempt == 3)
        #expect(harness.recorded.dropFirst().allSatisfy { $0.attempt == 1 })
        let counters = try #require(harness.registry.active(named: "scripted")?.counters.snapshot)
        #expect(counters.handled == 3)
        #expect(counters.deadLettered == 0)
    }

    @Test func failedEventGoesToTheDeadLetterTopicWithEveryHeaderAndTheNextIsProcessed() async throws {
        let harness = try PipelineHarness()
        _ = await harness.router.publish(harness.event("bad", key: "r", data: #""fail""#))
        _ = await harness.router.publish(harness.event("good", key: "r"))
        let consumer = try harness.startConsumer()
        #expect(await eventually { harness.recorded.map(\.id) == ["good"] })
        await consumer.stop()
        let letters = try await harness.readAll("scripted.in.dlq", expecting: 1)
        let letter = try #require(letters.first)
        func header(_ name: String) -> String? { letter.headers.first { $0.name == name }?.value.map { String(decoding: $0, as: UTF8.self) } }
        #expect(header("paka-error") == "event asked to fail")
        #expect(header("paka-plugin") == "scripted")
        #expect(header("paka-plugin-version") == "1.0.0")
        #expect(header("paka-attempts") == "1")
        #expect(header("paka-original-topic") == "scripted.in")
        #expect(header("paka-original-partition") == "0")
        #expect(header("paka-original-offset") == "0")
        #expect(String(decoding: letter.value, as: UTF8.self).contains(#""id":"bad""#))
        #expect(harness.registry.active(named: "scripted")?.counters.snapshot.deadLettered == 1)
    }

    @Test func exhaustedRetriesAreDeadLetteredWhenMaxAttemptsIsSet() async throws {
        let harness = try PipelineHarness(retry: RetryPolicy(maxAttempts: 2, initialBackoffMs: 20, maxBackoffMs: 50))
        _ = await harness.router.publish(harness.event("stubborn", data: #""retry-until-9""#))
        _ = await harness.router.publish(harness.event("after"))
        let consumer = try harness.startConsumer()
        #expect(await eventually { harness.recorded.map(\.id) == ["after"] })
        await consumer.stop()
        let letter = try #require(try await harness.readAll("scripted.in.dlq", expecting: 1).first)
        #expect(letter.headers.first { $0.name == "paka-attempts" }?.value == Array("2".utf8))
        #expect(letter.headers.first { $0.name == "paka-error" }.map { String(decoding: $0.value!, as: UTF8.self) } == "gave up after 2 attempts: not yet")
    }

    @Test func poisonMessagesOfEveryKindAreDeadLetteredAndTheLoopGoesOn() async throws {
        let harness = try PipelineHarness()
        let producer = try KafkaProducer(configuration: harness.configuration, logger: .test)
        let poison: [[UInt8]] = [
            Array("not json".utf8),
            Array(#"{"data": {"no": "id or type"}}"#.utf8),
            [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x7D],  // {"\xff\xfe"}: bad UTF-8
            Array(#"["an array"]"#.utf8),
            CloudEvent(id: "huge", source: "t", type: "scripted.in", subject: "k", data: Array("\"\(String(repeating: "x", count: 5000))\"".utf8)).jsonBytes,
        ]
        for value in poison { _ = try await producer.send(topic: "scripted.in", key: Array("k".utf8), value: value) }
        _ = await harness.router.publish(harness.event("survivor"))
        let consumer = try harness.startConsumer(maxEventBytes: 4096)
        #expect(await eventually { harness.recorded.map(\.id) == ["survivor"] })
        await consumer.stop()
        let reasons = try await harness.readAll("scripted.in.dlq", expecting: poison.count).map {
            String(decoding: $0.headers.first { $0.name == "paka-error" }?.value ?? [], as: UTF8.self)
        }
        #expect(reasons == [
            "poison message: not a CloudEvent: payload is not valid JSON (UTF-8)",
            "poison message: not a CloudEvent: CloudEvent attribute 'id' is missing or not a string",
            "poison message: payload is not valid UTF-8",
            "poison message: not a CloudEvent: payload is not a JSON object",
            "poison message: event is \(poison[4].count) bytes; the limit is 4096 (PAKA_MAX_EVENT_BYTES)",
        ])
        await producer.shutdown()
    }

    @Test func restartedConsumerResumesFromItsCommittedOffset() async throws {
        let harness = try PipelineHarness()
        for i in 0..<5 { _ = await harness.router.publish(harness.event("a\(i)")) }
        let first = try harness.startConsumer()
        #expect(await eventually { harness.recorded.count == 5 })
        await first.stop()
        for i in 0..<5 { _ = await harness.router.publish(harness.event("b\(i)")) }
        let second = try harness.startConsumer()
        #expect(await eventually { harness.recorded.count >= 10 })
        try await Task.sleep(for: .milliseconds(500))
        await second.stop()
        #expect(harness.recorded.map(\.id) == (0..<5).map { "a\($0)" } + (0..<5).map { "b\($0)" })
    }

    @Test func twoMembersOfOneGroupSplitThePartitionsAndHandleEachEventOnce() async throws {
        let harness = try PipelineHarness(partitions: 4)
        let otherRecord = harness.dir.file("other.txt")
        let otherRegistry = PluginRegistry(services: RecordingHostServices(), logger: .test)
        otherRegistry.apply(PakaConfiguration(pluginDir: harness.dir.path, plugins: [
            PluginEntry(name: "scripted", library: try PluginCompiler.build(name: "scripted"), config: .object(["record": .string(otherRecord)])),
        ]))
        let a = try harness.startConsumer()
        let b = try harness.startConsumer(registry: otherRegistry)
        // Both members joined when each owns part of the four partitions.
        #expect(await eventually(30) { a.loop.assignedCount > 0 && b.loop.assignedCount > 0 && a.loop.assignedCount + b.loop.assignedCount == 4 })
        let ids = (0..<200).map { "m\($0)" }
        for id in ids { _ = await harness.router.publish(harness.event(id, key: "key-\(id)")) }
        #expect(await eventually { harness.recorded.count + PipelineHarness.recorded(otherRecord).count >= 200 })
        await a.stop()
        await b.stop()
        let mine = Set(harness.recorded.map(\.id)), theirs = Set(PipelineHarness.recorded(otherRecord).map(\.id))
        #expect(mine.union(theirs) == Set(ids))
        #expect(mine.isDisjoint(with: theirs))
        #expect(!mine.isEmpty && !theirs.isEmpty)
        #expect(Set(harness.recorded.map(\.partition)).isDisjoint(with: Set(PipelineHarness.recorded(otherRecord).map(\.partition))))
        otherRegistry.shutdown()
    }
}

import Foundation
@testable import PakaPipeline
@testable import PakaPluginHost
import PakaTestSupport
import Testing

/// Issue 22, item 3: hot swap, pause, the offsets API and dead-letter replay keep working for a
/// plugin marked `"delivery": "exactly-once"` — each checked by what a `read_committed` reader
/// of the derived topic sees and by what the plugin records having handled.
///
/// On librdkafka's mock cluster (docs/kafka.md, "Exactly-once"): its `read_committed` readers
/// also see aborted records, so "visible once" here also says no transaction was aborted after
/// its records reached the broker; and it drops offsets sent in a transaction, so the committed
/// offsets read here are the host's plain commit right after each transaction.
@Suite(.serialized) struct ExactlyOnceOperationsTests {
    @Test func aHotSwapMidStreamHandsEachInputToOneVersionOnceAndEachDerivedEventIsVisibleOnce() async throws {
        let eos = try await ExactlyOnceHost(partitions: 3)
        let v2 = try ExactlyOnceHost.build("2.0.0")
        #expect(await eventually { eos.consumerState == "running" })
        // 60 ms per input: the 300 published before the swap take v1 eighteen seconds at least,
        // so the swap (once v1 handled 50) lands with most of them still to handle, even when a
        // loaded machine wakes this task late (at 20 ms, a full `scripts/test` run once saw v1
        // finish all 300 before the swap).
        let beforeSwap = (0..<300).map { "s\($0)" }
        try await publish(beforeSwap, to: eos, data: #"{"delayMs":60}"#)
        #expect(await eventually(60) { eos.handled.count >= 50 })
        try eos.swap(to: v2)
        let afterSwap = (300..<450).map { "s\($0)" }
        try await publish(afterSwap, to: eos)
        let ids = beforeSwap + afterSwap

        let visible = await visibleDerived(covering: ids, eos)
        await eos.stop()
        let handled = eos.handled
        var times: [String: Int] = [:]
        for line in handled { times[line.id, default: 0] += 1 }
        #expect(ids.filter { times[$0] == nil }.isEmpty, "inputs never handled: \(ids.filter { times[$0] == nil }.prefix(10))")
        #expect(times.filter { $0.value > 1 }.isEmpty, "inputs handled more than once (by both versions?): \(times.filter { $0.value > 1 }.keys.sorted().prefix(10))")
        #expect(handled.allSatisfy { $0.attempt == 1 })
        #expect(handled.contains { $0.version == "2.0.0" && beforeSwap.contains($0.id) }, "the swap did not land mid-stream")
        #expect(handled.contains { $0.version == "1.0.0" })
        expectEachVisibleOnce(ids, visible)
    }

    @Test func aPausedExactlyOncePluginHandlesNothingAndAfterTheResumeEachInputOnce() async throws {
        // Four lanes: the pause waits for the batches in them, and what they finished last is
        // still waiting for its transaction when the pause comes.
        let eos = try await ExactlyOnceHost(partitions: 3, concurrency: 4)
        #expect(await eventually { eos.consumerState == "running" })
        let beforePause = (0..<300).map { "p\($0)" }
        try await publish(beforePause, to: eos, data: #"{"delayMs":60}"#)  // 4.5 seconds or more with four lanes
        // Paused mid-stream: some inputs handled and waiting for their transaction, some fetched
        // and not yet handled, the rest still in the topic.
        #expect(await eventually(60) { eos.handled.count >= 40 })
        let paused = try await eos.call("/plugins/deriving/pause")
        #expect(paused.status == .ok, "\(paused.text)")
        #expect(await eventually { eos.consumerState == "paused" })
        let handledAtPause = eos.handled.count
        #expect(handledAtPause < beforePause.count, "the pause came after the stream; nothing shows it held anything")

        let whilePaused = (0..<50).map { "q\($0)" }
        try await publish(whilePaused, to: eos)
        try await Task.sleep(for: .seconds(2))
        #expect(eos.handled.count == handledAtPause, "handled while paused: \(eos.handled.dropFirst(handledAtPause).map(\.id).prefix(10))")

        #expect(try await eos.call("/plugins/deriving/resume").status == .ok)
        let ids = beforePause + whilePaused
        let visible = await visibleDerived(covering: ids, eos)
        await eos.stop()
        var times: [String: Int] = [:]
        for line in eos.handled { times[line.id, default: 0] += 1 }
        #expect(ids.filter { times[$0] == nil }.isEmpty, "inputs never handled: \(ids.filter { times[$0] == nil }.prefix(10))")
        #expect(times.filter { $0.value > 1 }.isEmpty, "inputs handled again after the resume: \(times.filter { $0.value > 1 }.keys.sorted().prefix(10))")
        expectEachVisibleOnce(ids, visible)
    }

    /// The consumer commits no offsets itself (`enable.auto.commit=false`): the transaction does.
    /// A reset while paused still moves the group's committed offset, the consumer goes on from
    /// there, and the transactions commit past it again.
    @Test func offsetResetsWhilePausedMoveTheCommittedOffsetOfAnExactlyOnceConsumer() async throws {
        let eos = try await ExactlyOnceHost()
        #expect(await eventually { eos.consumerState == "running" })
        for n in 0..<5 { try await eos.publish("o\(n)") }  // one by one: o<n> is at offset n
        #expect(await eventually(30) { (try? await eos.committedOffset()) == 5 })

        #expect(try await eos.call("/plugins/deriving/pause").status == .ok)
        for n in 5..<8 { try await eos.publish("o\(n)") }
        let latest = try await eos.call("/plugins/deriving/offsets", body: #"{"to": "latest"}"#)
        #expect(latest.status == .ok, "\(latest.text)")
        #expect((latest.object?["before"] as? [[String: Any]])?.first?["committed"] as? Int == 5)
        #expect((latest.object?["after"] as? [[String: Any]])?.first?["committed"] as? Int == 8)
        #expect(try await eos.committedOffset() == 8, "read back from the group coordinator")
        #expect(try await eos.call("/plugins/deriving/resume").status == .ok)
        try await eos.publish("o8")
        #expect(await eventually(30) { (try? await eos.committedOffset()) == 9 }, "the transactions commit past the reset")
        #expect(eos.handled.map(\.id) == (0..<5).map { "o\($0)" } + ["o8"], "skipped inputs were handled")

        #expect(try await eos.call("/plugins/deriving/pause").status == .ok)
        let rewound = try await eos.call("/plugins/deriving/offsets", body: #"{"offsets": [{"topic": "derive.in", "partition": 0, "offset": 6}]}"#)
        #expect(rewound.status == .ok, "\(rewound.text)")
        #expect((rewound.object?["after"] as? [[String: Any]])?.first?["committed"] as? Int == 6)
        #expect(try await eos.call("/plugins/deriving/resume").status == .ok)
        #expect(await eventually(30) { eos.handled.count == 9 })
        #expect(await eventually(30) { (try? await eos.committedOffset()) == 9 })

        // The operator asked for o6...o8 again: each derived once more (o8 a second time); o5 never.
        let expected = ["o0": 1, "o1": 1, "o2": 1, "o3": 1, "o4": 1, "o6": 1, "o7": 1, "o8": 2]
        var visible: [String: Int] = [:]
        _ = await eventually(60) {
            visible = (try? await eos.visibleDerived()) ?? [:]
            return visible == expected
        }
        await eos.stop()
        #expect(visible == expected)
        #expect(eos.handled.map(\.id) == (0..<5).map { "o\($0)" } + ["o8", "o6", "o7", "o8"])
    }

    @Test func replayingAnExactlyOncePluginsDeadLettersDeliversThemAndTheirDerivedEventsOnce() async throws {
        let eos = try await ExactlyOnceHost()
        #expect(await eventually { eos.consumerState == "running" })
        for (n, data) in ["{}", #"{"fail":true}"#, "{}", #"{"fail":true}"#].enumerated() { try await eos.publish("r\(n)", data: data) }
        func pendingLetters() async -> [String] {
            let listing = try? await eos.call("/plugins/deriving/dead-letters", method: .get)
            return (listing?.object?["letters"] as? [[String: Any]])?.compactMap { $0["eventId"] as? String } ?? []
        }
        #expect(await eventually(30) { await pendingLetters().sorted() == ["r1", "r3"] })

        try eos.swap(to: try ExactlyOnceHost.build("2.0.0", fixed: true))
        let replay = try await eos.call("/plugins/deriving/dead-letters/replay", body: #"{"errorContains": "asked to fail"}"#)
        #expect(replay.status == .ok, "\(replay.text)")
        let report = replay.object?["replay"] as? [String: Any]
        #expect(report?["selected"] as? Int == 2 && report?["delivered"] as? Int == 2, "\(replay.text)")

        let ids = ["r0", "r1", "r2", "r3"]
        let visible = await visibleDerived(covering: ids, eos)
        #expect(await pendingLetters().isEmpty)
        await eos.stop()
        expectEachVisibleOnce(ids, visible)
        #expect(eos.handled.filter { $0.version == "2.0.0" }.map(\.id).sorted() == ["r1", "r3"])
    }

    // MARK: -

    /// Publishes `ids` concurrently (their order does not matter: each is its own key).
    private func publish(_ ids: [String], to eos: ExactlyOnceHost, data: String = "{}") async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for id in ids { group.addTask { try await eos.publish(id, data: data) } }
            try await group.waitForAll()
        }
    }

    /// What a `read_committed` reader sees once every id has a derived event, plus two quiet
    /// seconds in which a late duplicate would show.
    private func visibleDerived(covering ids: [String], _ eos: ExactlyOnceHost) async -> [String: Int] {
        var visible: [String: Int] = [:]
        _ = await eventually(120) {
            visible = (try? await eos.visibleDerived()) ?? [:]
            return Set(visible.keys).isSuperset(of: ids)
        }
        return visible
    }

    private func expectEachVisibleOnce(_ ids: [String], _ visible: [String: Int]) {
        #expect(ids.filter { visible[$0] == nil }.isEmpty, "derived events lost: \(ids.filter { visible[$0] == nil }.prefix(10))")
        #expect(visible.filter { $0.value > 1 }.isEmpty, "derived events duplicated: \(visible.filter { $0.value > 1 }.keys.sorted().prefix(10))")
    }
}

import Foundation
import PakaKafka
@testable import PakaPipeline
@testable import PakaPluginHost
import PakaTestSupport
import Testing

/// A plugin's `concurrency` lanes run at once, in key order: the lanes fixture is a plugin with
/// no ordering logic of its own (it answers RETRY for one event and OK for the next of the same
/// key without a second thought), so any order it shows is the host's.
@Suite(.serialized) struct ParallelLanesTests {
    private func lanesPlugin() throws -> String { try PluginCompiler.build("\(TestPaths.fixtures)/lanes.c", name: "lanes") }

    private func waitForEffects(_ harness: PipelineHarness, count: Int, seconds: Double = 90) async -> [LaneEffect] {
        _ = await eventually(seconds) { LaneEffect.read(harness.record).count >= count }
        return LaneEffect.read(harness.record)
    }

    /// The property: for every key, the order of effects equals offset order, whatever the
    /// plugin's delays and RETRYs — over many random scenarios (seeds), run side by side on
    /// 8 lanes and 2 partitions.
    @Test func everyKeysEffectsFollowOffsetOrderUnderRandomDelaysAndRetries() async throws {
        let harness = try PipelineHarness(partitions: 2, retry: RetryPolicy(initialBackoffMs: 20, maxBackoffMs: 80),
                                          plugin: try lanesPlugin(), concurrency: 8)
        let consumer = try harness.startConsumer()
        var published: [(key: String, id: String)] = []
        for seed in 1...12 {
            var random = SeededRandom(seed: UInt64(seed))
            for n in 0..<50 {
                let key = "s\(seed)-k\(random.next(upTo: 8))"
                let retries = random.next(upTo: 100) < 25 ? 1 + random.next(upTo: 2) : 0
                let id = "s\(seed)-e\(n)"
                _ = await harness.router.publish(harness.event(id, key: key, data: laneData(delayMs: random.next(upTo: 12), retries: retries)))
                published.append((key, id))
            }
        }
        let effects = await waitForEffects(harness, count: published.count)
        await consumer.stop()
        #expect(effects.count == published.count, "every event applied once")
        let violations = LaneEffect.orderViolations(effects, published: published)
        #expect(violations.isEmpty, "\(violations.count) keys out of offset order, first: \(violations.first ?? "")")
        #expect((effects.map(\.inFlight).max() ?? 0) > 1, "the lanes ran side by side")
    }

    /// A key waiting for its retry's backoff holds back that key alone: the partition's other
    /// keys are handled meanwhile, and the key's later event still comes after the retried one.
    @Test func otherKeysOfThePartitionAreHandledWhileOneKeyWaitsForItsRetry() async throws {
        let harness = try PipelineHarness(partitions: 1, retry: RetryPolicy(initialBackoffMs: 2000, maxBackoffMs: 2000),
                                          plugin: try lanesPlugin(), concurrency: 4)
        let consumer = try harness.startConsumer()
        _ = await harness.router.publish(harness.event("a1", key: "a", data: laneData(retries: 1)))
        _ = await harness.router.publish(harness.event("a2", key: "a", data: laneData()))
        // Let a1 meet its RETRY in a batch of its own before the other keys arrive.
        _ = await eventually(30) { harness.registry.active(named: "scripted")?.counters.snapshot.retried ?? 0 > 0 }
        var others: [String] = []
        for n in 0..<20 {
            _ = await harness.router.publish(harness.event("b\(n)", key: "b\(n)", data: laneData(delayMs: 5)))
            others.append("b\(n)")
        }
        let effects = await waitForEffects(harness, count: 22)
        await consumer.stop()
        let order = effects.map(\.id)
        let a1 = try #require(order.firstIndex(of: "a1"))
        #expect(order.firstIndex(of: "a2").map { $0 > a1 } == true, "a2 after a1: \(order)")
        let othersAfterA1 = others.filter { (order.firstIndex(of: $0) ?? Int.max) > a1 }
        #expect(othersAfterA1.isEmpty, "these waited behind key a's retry: \(othersAfterA1)")
    }

    /// One hot key carrying half the events runs one event at a time; the other half, on other
    /// keys of the same partition, does not queue behind it.
    @Test func aHotKeyDoesNotHoldBackTheOtherKeys() async throws {
        let harness = try PipelineHarness(partitions: 1, plugin: try lanesPlugin(), concurrency: 8)
        let consumer = try harness.startConsumer()
        var published: [(key: String, id: String)] = []
        for n in 0..<60 {
            _ = await harness.router.publish(harness.event("hot\(n)", key: "hot", data: laneData(delayMs: 10)))
            _ = await harness.router.publish(harness.event("cold\(n)", key: "cold\(n)", data: laneData(delayMs: 10)))
            published += [("hot", "hot\(n)"), ("cold\(n)", "cold\(n)")]
        }
        let effects = await waitForEffects(harness, count: published.count)
        await consumer.stop()
        let lastCold = try #require(effects.lastIndex { $0.key.hasPrefix("cold") })
        let hotBeforeLastCold = effects[..<lastCold].filter { $0.key == "hot" }.count
        #expect(hotBeforeLastCold < 30, "\(hotBeforeLastCold) of 60 hot events came before the last cold one")
        #expect(LaneEffect.orderViolations(effects, published: published).isEmpty)
    }

    /// A lane that comes free while many keys are ready takes only its share of them (ready ÷
    /// lanes), so the lanes freed after it find work: three lanes are busy with slow events
    /// when 40 quick ones on 40 keys arrive; the fourth must not take all 40 and run them one
    /// after another while the other three come free with nothing left to do.
    @Test func aLaneFreedWhileManyKeysAreReadyTakesOnlyItsShare() async throws {
        let harness = try PipelineHarness(partitions: 1, plugin: try lanesPlugin(), concurrency: 4)
        let consumer = try harness.startConsumer()
        for n in 0..<3 { _ = await harness.router.publish(harness.event("slow\(n)", key: "slow\(n)", data: laneData(delayMs: 600))) }
        #expect(await eventually(30) { consumer.loop.lanes.busy == 3 }, "the three slow events are in three lanes")
        // All at once (concurrent sends, one produce batch), so one poll finds the 40 keys ready.
        await withTaskGroup(of: Void.self) { group in
            for n in 0..<40 {
                group.addTask { _ = await harness.router.publish(harness.event("quick\(n)", key: "quick\(n)", data: laneData(delayMs: 30))) }
            }
        }
        let effects = await waitForEffects(harness, count: 43)
        await consumer.stop()
        let lastSlow = try #require(effects.lastIndex { $0.key.hasPrefix("slow") })
        let quickAfterSlow = effects[(lastSlow + 1)...].filter { $0.key.hasPrefix("quick") }
        // Taken all by the lone lane, the quick events left when the slow ones end run one at a
        // time (1 call in flight when each starts): 19 of 20 did so before this rule.
        let alone = quickAfterSlow.filter { $0.inFlight == 1 }
        #expect(!quickAfterSlow.isEmpty, "the lone lane finished all 40 quick events before the slow ones ended")
        #expect(alone.count * 4 <= quickAfterSlow.count, "\(alone.count) of the \(quickAfterSlow.count) quick events after the slow ones ran one at a time")
    }

    /// `"ordering": "none"`: events of one key run side by side too.
    @Test func orderingNoneRunsEventsOfOneKeyInParallel() async throws {
        let harness = try PipelineHarness(partitions: 1, plugin: try lanesPlugin(), concurrency: 8, ordering: .none)
        let consumer = try harness.startConsumer()
        for n in 0..<40 { _ = await harness.router.publish(harness.event("e\(n)", key: "same", data: laneData(delayMs: 30))) }
        let effects = await waitForEffects(harness, count: 40)
        await consumer.stop()
        #expect(Set(effects.map(\.id)).count == 40)
        #expect((effects.map(\.inFlight).max() ?? 0) > 1, "one key, yet handled side by side")
    }

    /// `"ordering": "partition"`: one event of a partition at a time, in offset order, even with
    /// every key different and lanes to spare.
    @Test func orderingPartitionHandlesAPartitionOneEventAtATimeInOffsetOrder() async throws {
        let harness = try PipelineHarness(partitions: 1, retry: RetryPolicy(initialBackoffMs: 20, maxBackoffMs: 40),
                                          plugin: try lanesPlugin(), concurrency: 8, ordering: .partition)
        let consumer = try harness.startConsumer()
        var ids: [String] = []
        for n in 0..<30 {
            _ = await harness.router.publish(harness.event("e\(n)", key: "k\(n)", data: laneData(delayMs: 3, retries: n % 7 == 0 ? 1 : 0)))
            ids.append("e\(n)")
        }
        let effects = await waitForEffects(harness, count: 30)
        await consumer.stop()
        #expect(effects.map(\.id) == ids)
        #expect(effects.allSatisfy { $0.inFlight == 1 })
    }
}

/// One event of a stream a thread published (Sendable, unlike a labelled tuple).
struct LaneStreamEvent: Sendable {
    let key: String
    let id: String
}

/// SplitMix64: the same scenario for the same seed, on every machine.
struct SeededRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next(upTo bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Int(z % UInt64(bound))
    }
}

/// A hot swap while 8 lanes are busy: every event applied exactly once, by v1 or v2 (never by
/// both), each key in offset order, and once a key's events reach v2 none goes back to v1.
@Suite(.serialized) struct LaneSwapTests {
    @Test func aSwapDuringParallelProcessingLosesNoneAndHandlesNoneTwice() async throws {
        let v1 = try PluginCompiler.build("\(TestPaths.fixtures)/lanes.c", name: "lanes")
        let v2 = try PluginCompiler.build("\(TestPaths.fixtures)/lanes.c", defines: [#"FIXTURE_VERSION="2.0.0""#], name: "lanes")
        let harness = try PipelineHarness(partitions: 2, plugin: v1, concurrency: 8)
        let consumer = try harness.startConsumer()
        // The stream runs on a thread of its own until 200 events followed the switch to v2, so
        // the swap lands mid-stream however slow the machine is.
        let producing = Task { () throws -> [LaneStreamEvent] in
            try await onOwnThread {
                var published: [LaneStreamEvent] = []
                var switchedAt: Int?
                while published.count < 6_000, switchedAt.map({ published.count < $0 + 200 }) ?? true {
                    for _ in 0..<10 {
                        let n = published.count
                        harness.router.publishFromPlugin(harness.event("e\(n)", key: "k\(n % 40)", data: laneData(delayMs: 5)))
                        published.append(LaneStreamEvent(key: "k\(n % 40)", id: "e\(n)"))
                    }
                    if switchedAt == nil, harness.registry.active(named: "scripted")?.descriptor.version == "2.0.0" { switchedAt = published.count }
                    Thread.sleep(forTimeInterval: 0.02)
                }
                return published
            }
        }
        _ = await eventually(60) { LaneEffect.read(harness.record).count >= 80 }
        var entry = try #require(harness.registry.active(named: "scripted")).entry
        entry.library = v2
        let configuration = PakaConfiguration(pluginDir: harness.dir.path, plugins: [entry])
        let refusals = try await onOwnThread { harness.registry.apply(configuration) }
        #expect(refusals.isEmpty, "\(refusals)")
        let stream = try await producing.value
        let published = stream.map { (key: $0.key, id: $0.id) }
        _ = await eventually(90) { Set(LaneEffect.read(harness.record).map(\.id)).count >= published.count }
        await consumer.stop()
        let effects = LaneEffect.read(harness.record)
        #expect(effects.count == published.count, "each event once: \(effects.count) effects of \(published.count) events")
        #expect(Set(effects.map(\.id)) == Set(published.map(\.id)), "none lost")
        #expect(Set(effects.map(\.version)) == ["1.0.0", "2.0.0"], "the swap landed mid-stream")
        #expect(LaneEffect.orderViolations(effects, published: published).isEmpty)
        var reachedV2 = Set<String>()
        for effect in effects {
            if effect.version == "2.0.0" { reachedV2.insert(effect.key) }
            #expect(effect.version == "2.0.0" || !reachedV2.contains(effect.key), "\(effect.id) went back to v1")
        }
    }
}

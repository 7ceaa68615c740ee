import Foundation
@testable import PakaPipeline
@testable import PakaPluginHost
import PakaTestSupport
import Synchronization
import Testing

/// 20 000+ events streamed into one topic (3 partitions) while v2 of the plugin is copied over
/// v1 in the plugin directory; the watcher does the swap. One run, several promises checked.
@Suite(.serialized) struct SwapUnderLoadTests {
    struct Outcome: Sendable {
        var published: [String]
        var handled: [PipelineHarness.Handled]
        var gapAroundSwapMs: Double
        var steadyGapMs: Double
        var watcherReloads: Int
    }

    /// Runs once for the whole suite; each test inspects it.
    static let run = Task<Outcome, Error> { try await streamAndSwap() }

    static func streamAndSwap() async throws -> Outcome {
        let rig = try SwapRig(v1: try SwapRig.build("1.0.0"), partitions: 3)
        let v2 = try SwapRig.build("2.0.0")
        let consumer = try rig.harness.startConsumer()
        rig.startWatching()
        let sampler = HandledSampler(registry: rig.registry)
        sampler.start()

        // The stream starts once v1 handles events (the first group join takes ~3 s), so the swap
        // lands in a steady flow, not in the catch-up after the join.
        _ = await rig.harness.router.publish(rig.harness.event("warm-up", key: "warm-up"))
        #expect(await eventually(30) { rig.harness.recorded.count >= 1 })
        // ~5 000 events/s: 100 publishes every 20 ms without waiting for acknowledgements (the
        // path plugins publish by; a failed delivery is processed synchronously). The stream, the
        // install of v2 once v1 handled 10 000 events, and noticing the switch all run on a
        // thread of their own: other suites in this process block the two cooperative threads for
        // seconds at a time (process waits, initdb), and a test that paced or watched the stream
        // from a task once saw the stream end before the swap. It runs for at least 20 000 events
        // and until 4 000 more followed the switch, so the swap lands mid-stream.
        let producing = Task { () throws -> [String] in
            try await onOwnThread {
                var ids: [String] = []
                var installed = false
                var switchedAt: Int?
                var tick = ContinuousClock.now
                // A mock partition keeps only ~5 MiB: past 40 000 events, while the switch is
                // still awaited (a starved watcher), the stream goes on at 50 events/s, for
                // at most 150 s.
                let giveUp = ContinuousClock.now + .seconds(150)
                while ids.count < 20_000 || switchedAt.map({ ids.count < $0 + 4_000 }) ?? (ContinuousClock.now < giveUp) {
                    if !installed, let v1 = rig.active, v1.counters.snapshot.handled >= 10_000 {
                        installed = true
                        try rig.install(v2)
                    }
                    if installed, switchedAt == nil, rig.active?.descriptor.version == "2.0.0" { switchedAt = ids.count }
                    let batch = ids.count < 40_000 || switchedAt != nil ? 100 : 1
                    for n in ids.count..<(ids.count + batch) {
                        let id = "e\(n)"
                        ids.append(id)
                        rig.harness.router.publishFromPlugin(rig.harness.event(id, key: "k\(id.hashValue % 97)"))
                    }
                    tick = tick.advanced(by: .milliseconds(20))
                    let wait = ContinuousClock.now.duration(to: tick)
                    if wait > .zero { usleep(UInt32(wait.components.attoseconds / 1_000_000_000_000)) }
                }
                return ids
            }
        }
        let ids = try await producing.value
        #expect(await eventually(30) { rig.active?.descriptor.version == "2.0.0" })
        #expect(await eventually(60) { rig.harness.recorded.count >= ids.count + 1 })
        try await Task.sleep(for: .milliseconds(500))  // anything extra (a duplicate) would show up now
        await consumer.stop()
        sampler.stop()
        let switchedAt = sampler.firstHandled(byVersion: "2.0.0")
        let outcome = Outcome(
            published: ["warm-up"] + ids, handled: rig.harness.recorded,
            gapAroundSwapMs: switchedAt.map { sampler.maxGapMs(around: $0, within: .seconds(1)) } ?? -1,
            steadyGapMs: switchedAt.map { sampler.maxGapMs(outside: $0, within: .seconds(1)) } ?? -1,
            watcherReloads: rig.reloads.load(ordering: .relaxed))
        print("hot swap under load: gap around the swap \(String(format: "%.1f", outcome.gapAroundSwapMs)) ms "
              + "(longest anywhere else in the stream: \(String(format: "%.1f", outcome.steadyGapMs)) ms), watcher reloads: \(outcome.watcherReloads)")
        return outcome
    }

    @Test func swappingV1ForV2MidStreamHandlesEveryEventExactlyOnceByV1OrV2() async throws {
        let outcome = try await Self.run.value
        var counts: [String: Int] = [:]
        for line in outcome.handled { counts[line.id, default: 0] += 1 }
        #expect(Set(counts.keys) == Set(outcome.published), "lost: \(Set(outcome.published).subtracting(counts.keys).count)")
        #expect(counts.values.filter { $0 > 1 }.isEmpty, "duplicated: \(counts.filter { $0.value > 1 }.count)")
        #expect(Set(outcome.handled.map(\.version)) == ["1.0.0", "2.0.0"])
        #expect(outcome.handled.allSatisfy { $0.attempt == 1 })
    }

    @Test func noEventReachesV1AfterTheFirstEventReachedV2() async throws {
        let outcome = try await Self.run.value
        let firstV2 = try #require(outcome.handled.firstIndex { $0.version == "2.0.0" })
        #expect(outcome.handled[firstV2...].allSatisfy { $0.version == "2.0.0" })
        for partition in Set(outcome.handled.map(\.partition)) {
            let lines = outcome.handled.filter { $0.partition == partition }
            let first = lines.firstIndex { $0.version == "2.0.0" } ?? lines.endIndex
            #expect(lines[first...].allSatisfy { $0.version == "2.0.0" }, "partition \(partition)")
        }
    }

    @Test func theWatcherPickedUpTheInstalledFileWithOneReload() async throws {
        let outcome = try await Self.run.value
        #expect(outcome.watcherReloads == 1)
    }

    @Test func theSwapLandedMidStreamSoBothGapsAreMeasured() async throws {
        let outcome = try await Self.run.value
        // Both figures exist only when events were handled before and after the switch and
        // elsewhere in the stream (the swap landed mid-stream); their values are reported above,
        // never asserted.
        #expect(outcome.gapAroundSwapMs > 0)
        #expect(outcome.steadyGapMs > 0)
    }
}

/// Samples how many events all versions of the plugin handled, every ~1 ms, to find the
/// longest stretch with nothing handled.
final class HandledSampler: @unchecked Sendable {
    private let registry: PluginRegistry
    private let stopped = Atomic<Bool>(false)
    private let done = DispatchSemaphore(value: 0)
    // Touched by the sampling thread only until `stop` returns.
    private var changes: [(ContinuousClock.Instant, Int)] = []
    private var firstByVersion: [String: ContinuousClock.Instant] = [:]

    init(registry: PluginRegistry) { self.registry = registry }

    func start() {
        Thread.detachNewThread { [self] in
            var versions: [LoadedPlugin] = []
            var last = -1
            while !stopped.load(ordering: .relaxed) {
                if let active = registry.active(named: "scripted"), !versions.contains(where: { $0 === active }) { versions.append(active) }
                let now = ContinuousClock.now
                for version in versions where version.counters.snapshot.handled > 0 && firstByVersion[version.descriptor.version] == nil {
                    firstByVersion[version.descriptor.version] = now
                }
                let total = versions.reduce(0) { $0 + $1.counters.snapshot.handled }
                if total != last { changes.append((now, total)); last = total }
                usleep(500)
            }
            done.signal()
        }
    }

    func stop() {
        stopped.store(true, ordering: .relaxed)
        done.wait()
    }

    func firstHandled(byVersion version: String) -> ContinuousClock.Instant? { firstByVersion[version] }

    /// Longest gap between consecutive changes that lies wholly outside `within` of `instant`,
    /// from the first event of the stream on (the group join and the warm-up event before it,
    /// one handled event, are no gap in the stream).
    func maxGapMs(outside instant: ContinuousClock.Instant, within: Duration) -> Double {
        let handling = changes.drop { $0.1 <= 1 }
        let gaps = zip(handling, handling.dropFirst()).filter { $1.0 < instant - within || $0.0 > instant + within }.map { $1.0 - $0.0 }
        let longest = gaps.max() ?? .zero
        return Double(longest.components.seconds) * 1000 + Double(longest.components.attoseconds) / 1e15
    }

    /// Longest time between two consecutive changes of the handled count that overlaps `within`
    /// of `instant`. A stall spanning the switch counts whole: on a loaded machine nothing may
    /// change for more than `within` either side, and that stall is the gap around the swap.
    func maxGapMs(around instant: ContinuousClock.Instant, within: Duration) -> Double {
        let gaps = zip(changes, changes.dropFirst())
            .filter { $1.0 >= instant - within && $0.0 <= instant + within }
            .map { $1.0 - $0.0 }
        let longest = gaps.max() ?? .zero
        return Double(longest.components.seconds) * 1000 + Double(longest.components.attoseconds) / 1e15
    }
}

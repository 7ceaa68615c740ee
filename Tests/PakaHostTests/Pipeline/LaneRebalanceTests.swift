import Foundation
import PakaKafka
@testable import PakaPipeline
@testable import PakaPluginHost
import PakaTestSupport
import Testing

/// Rebalances while events flow: a second member joins and leaves the group again and again,
/// so partitions are revoked and assigned back (eager protocol: every rebalance revokes all)
/// while lanes hold events of them in flight. Every event is handled at least once: nothing a
/// poll returned after a rebalance is thrown away with the window of the partition's old life.
@Suite(.serialized) struct LaneRebalanceTests {
    @Test func eventsFlowingThroughRepeatedRebalancesAreEachHandled() async throws {
        let library = try PluginCompiler.build("\(TestPaths.fixtures)/lanes.c", name: "lanes")
        let harness = try PipelineHarness(partitions: 4, plugin: library, concurrency: 4)
        let first = try harness.startConsumer()
        // Events flow at a steady rate the whole time, so polls meet rebalances with messages on
        // both sides of them.
        let publisher = Task { () -> [String] in
            var ids: [String] = []
            var random = SeededRandom(seed: 7)
            for n in 0..<3000 {
                let id = "r\(n)"
                _ = await harness.router.publish(harness.event(id, key: "k\(random.next(upTo: 50))", data: laneData(delayMs: random.next(upTo: 3))))
                ids.append(id)
                if n % 20 == 19 { try? await Task.sleep(for: .milliseconds(20)) }
            }
            return ids
        }
        // A second member joins, then leaves: two rebalances, each revoking every partition of both.
        for _ in 0..<5 {
            try await Task.sleep(for: .milliseconds(700))
            let second = try harness.startConsumer()
            try await Task.sleep(for: .milliseconds(1500))
            await second.stop()
        }
        let ids = await publisher.value
        _ = await eventually(120) { Set(LaneEffect.read(harness.record).map(\.id)).isSuperset(of: ids) }
        await first.stop()
        let seen = Set(LaneEffect.read(harness.record).map(\.id))
        let skipped = ids.filter { !seen.contains($0) }
        #expect(skipped.isEmpty, "\(skipped.count) of \(ids.count) events never handled, first: \(skipped.prefix(10))")
    }
}

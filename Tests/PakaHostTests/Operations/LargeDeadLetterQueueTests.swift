import Foundation
import Hummingbird
import HummingbirdTesting
import PakaKafka
@testable import PakaPipeline
@testable import PakaPluginHost
import PakaTestSupport
import Synchronization
import Testing

/// A listing reads a `.dlq` backwards from its end in windows: its cost follows the page, not
/// the size of the topic.
@Suite struct LargeDeadLetterQueueTests {
    @Test func aPageOfALargeDLQReadsOnlyTheNewestWindow() async throws {
        let ops = try await OperatorHost(plugin: "marker", library: try MarkerPlugin.buggy())
        let producer = ops.kafka.bus.currentProducer
        let total = 20_000
        let acknowledged = Atomic<Int>(0)
        for index in 0..<total {
            let letter = DeadLetter(message: KafkaMessage(topic: "audit.event", partition: 0, offset: Int64(index), key: Array("k".utf8),
                                                          value: Array(#"{"specversion":"1.0","id":"bulk-\#(index)","source":"test","type":"audit.event","data":{}}"#.utf8)),
                                    error: index % 2 == 0 ? "handler crashed on marker-bug" : "other failure", plugin: index % 10 == 0 ? "someone-else" : "marker",
                                    pluginVersion: "1.0.0", attempts: 1)
            try producer.send(topic: "audit.event.dlq", key: letter.key, value: letter.value, headers: letter.headers) { result in
                if case .success = result { acknowledged.add(1, ordering: .relaxed) }
            }
        }
        #expect(await eventually(60) { acknowledged.load(ordering: .relaxed) == total })

        let started = ContinuousClock.now
        let page = try await ops.call("/plugins/marker/dead-letters?limit=50", method: .get, admin: false)
        let elapsed = ContinuousClock.now - started
        let letters = try #require(page.object?["letters"] as? [[String: Any]])
        #expect(letters.count == 50)
        #expect(letters.first?["eventId"] as? String == "bulk-19999")
        #expect(letters.allSatisfy { ($0["eventId"] as? String)?.hasPrefix("bulk-") == true })
        #expect(page.object?["scanned"] as? Int == Int(DeadLetterStore.window), "one window of the newest letters, not the topic")
        #expect(page.object?["nextCursor"] is String)

        // A filter that matches rarely reads further back, but never past the scan budget.
        let filtered = try await ops.call("/plugins/marker/dead-letters?limit=50&errorContains=other", method: .get, admin: false)
        #expect((filtered.object?["letters"] as? [[String: Any]])?.count == 50)
        let scanStart = ContinuousClock.now
        let nothing = try await ops.call("/plugins/marker/dead-letters?limit=50&errorContains=no-such-reason", method: .get, admin: false)
        let scanElapsed = ContinuousClock.now - scanStart
        #expect((nothing.object?["letters"] as? [[String: Any]])?.isEmpty == true)
        // The mock broker keeps ~5 MiB per partition: the oldest letters may be gone already.
        let kept = try ops.kafka.makeDeadLetterReader().watermarks(topic: "audit.event.dlq", partition: 0, timeout: .seconds(5))
        #expect(kept.high == Int64(total))
        #expect(nothing.object?["scanned"] as? Int == Int(kept.high - kept.low))
        #expect(nothing.object?["truncated"] as? Bool == false)
        print("large DLQ (\(total) letters): a filter matching nothing read all \(kept.high - kept.low) kept in \(scanElapsed)")
        print("large DLQ (\(total) letters): a 50-letter page read \(page.object?["scanned"] ?? "?") messages in \(elapsed)")
        await ops.stop()
    }
}

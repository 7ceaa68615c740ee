import Foundation
@testable import PakaPipeline
@testable import PakaPluginHost
import PakaTestSupport
import Testing

/// The synchronous fallback's per-plugin lanes: scheduled backoff, no plugin waiting for another.
@Suite struct SynchronousLaneTests {
    /// A backoff no test outlasts: the retrying event is still waiting whenever the test looks
    /// (however loaded the machine), and is never finished before the harness goes.
    static let slowRetry = RetryPolicy(initialBackoffMs: 600_000, maxBackoffMs: 600_000)

    // Bounded: were the lanes one queue again, the quick event would wait out the slow backoff.
    @Test(.timeLimit(.minutes(2))) func onePluginsRetriesDoNotDelayAnotherPluginsSynchronousEvents() async throws {
        let harness = try SynchronousHarness(plugins: [("slow", "slow.in", Self.slowRetry), ("quick", "quick.in", RetryPolicy())])
        // Queued without waiting (as a plugin's publish is): no task has to be scheduled first.
        harness.dispatcher.enqueue(harness.event("patient", topic: "slow.in", data: #""retry-until-9""#))
        // The slow plugin answered RETRY once: its event now waits for its backoff.
        #expect(await eventually(60) { harness.retries(of: "slow") >= 1 })

        let quick = await harness.router.publish(harness.event("urgent", topic: "quick.in"))
        #expect(quick.outcomes == ["quick": .ok])
        // The slow plugin's event was still waiting when the quick one finished.
        #expect(harness.dispatcher.depth(of: "slow") == 1)
        #expect(harness.recorded(by: "slow").isEmpty)
    }

    @Test func aPluginsLaterEventsWaitBehindItsRetryingEventInOrder() async throws {
        let harness = try SynchronousHarness(plugins: [("ordered", "ordered.in", RetryPolicy(initialBackoffMs: 50, maxBackoffMs: 50))])
        harness.dispatcher.enqueue(harness.event("first", topic: "ordered.in", data: #""retry-until-2""#))
        #expect(await eventually(60) { harness.retries(of: "ordered") >= 1 })
        let second = await harness.router.publish(harness.event("second", topic: "ordered.in"))
        #expect(second.outcomes == ["ordered": .ok])
        #expect(harness.recorded(by: "ordered").map(\.id) == ["first", "second"])
    }

    @Test(.timeLimit(.minutes(2))) func aFullLaneTurnsPublishersAwayInsteadOfQueueingWithoutBound() async throws {
        let harness = try SynchronousHarness(plugins: [("slow", "slow.in", Self.slowRetry)], laneCapacity: 1)
        harness.dispatcher.enqueue(harness.event("waiting", topic: "slow.in", data: #""retry-until-9""#))
        #expect(await eventually(60) { harness.retries(of: "slow") >= 1 })

        let refused = await harness.router.publish(harness.event("refused", topic: "slow.in"))
        #expect(refused.notKept["slow"]?.contains("full") == true)
        #expect(harness.dispatcher.depth(of: "slow") == 1)  // the waiting event, nothing more
    }

    /// The bound is the plugin's `synchronousQueueLimit` in plugins.json: up to it events queue;
    /// past it an HTTP publisher is turned away (the API answers 503) and an event a plugin
    /// published is deferred for Kafka.
    @Test(.timeLimit(.minutes(2))) func aLaneHoldsAsManyEventsAsItsPluginsJsonLimitSays() async throws {
        let harness = try SynchronousHarness(plugins: [("slow", "slow.in", Self.slowRetry)], laneCapacity: 3)
        let config = try PakaConfiguration.load(path: harness.dir.write("plugins.json", #"""
            {"plugins": [{"name": "slow", "library": "\#(try #require(harness.registry.active(named: "slow")).entry.library)",
                          "topics": ["slow.in"], "retry": {"initialBackoffMs": 600000, "maxBackoffMs": 600000},
                          "config": {"record": "\#(harness.record(of: "slow"))"}, "synchronousQueueLimit": 2}]}
            """#), environment: [:])
        #expect(config.plugins.first?.synchronousQueueLimit == 2)
        #expect(harness.registry.apply(config).isEmpty)
        #expect(harness.registry.active(named: "slow")?.entry.synchronousQueueLimit == 2)

        harness.dispatcher.enqueue(harness.event("waiting", topic: "slow.in", data: #""retry-until-9""#))
        #expect(await eventually(60) { harness.retries(of: "slow") >= 1 })
        harness.dispatcher.enqueue(harness.event("queued", topic: "slow.in"))
        #expect(harness.dispatcher.depth(of: "slow") == 2)

        let refused = await harness.router.publish(harness.event("refused", topic: "slow.in"))
        #expect(refused.notKept["slow"] == "synchronous queue of plugin 'slow' is full (2 events, its synchronousQueueLimit)")
        harness.dispatcher.enqueue(harness.event("published-by-a-plugin", topic: "slow.in"))
        #expect(harness.dispatcher.depth(of: "slow") == 2)
        let deferred = try String(contentsOfFile: harness.spool.deferredPath(for: "slow.in"), encoding: .utf8)
        #expect(deferred.contains(#""id":"published-by-a-plugin""#))
        #expect(!deferred.contains(#""id":"refused""#))  // its publisher was told; nothing kept twice
    }

    @Test func anEventStillRetryingAfterTheInProcessAttemptsIsDeferredForKafka() async throws {
        let harness = try SynchronousHarness(plugins: [("stuck", "stuck.in", RetryPolicy(initialBackoffMs: 10, maxBackoffMs: 10))])
        let receipt = await harness.router.publish(harness.event("stuck-1", topic: "stuck.in", data: #""retry-until-9""#))
        #expect(receipt.outcomes == ["stuck": .retry("not yet")])
        #expect(receipt.notKept.isEmpty)
        let deferred = try String(contentsOfFile: harness.spool.deferredPath(for: "stuck.in"), encoding: .utf8)
        #expect(deferred.contains(#""id":"stuck-1""#))
        #expect(harness.retries(of: "stuck") == harness.dispatcher.maxAttempts)
    }
}

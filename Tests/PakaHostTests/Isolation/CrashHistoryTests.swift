import CoreMetrics
import Foundation
@testable import PakaPluginHost
import Testing

/// A version's crash history is bounded (a crash loop must not grow the host's memory) and
/// keeps the newest entries.
@Suite struct CrashHistoryTests {
    @Test func crashHistoryKeepsOnlyTheNewestFiftyCrashesAndRestarts() {
        let tracker = CrashTracker(plugin: "p", policy: CrashPolicy(maxAttempts: 1000), metrics: NOOPMetricsHandler.instance)
        for status in 0..<60 {
            tracker.recordCrash(WorkerExit(.exitStatus(Int32(status))), during: "handle", eventId: "e\(status)")
            tracker.recordRestart()
        }
        let history = tracker.history
        #expect(history.count == CrashTracker.historyLimit)
        #expect(CrashTracker.historyLimit == 50)
        #expect(history.last?.kind == .restart)
        #expect(history.last?.reason == "worker started again after exit status 59 in handle")
        #expect(history.first?.eventId == "e35", "the oldest kept is crash 35 (60 crashes + 60 restarts, last 50)")
        #expect(history.first?.signal == nil)
    }

    @Test func aCrashBySignalNamesTheSignal() {
        let tracker = CrashTracker(plugin: "p", policy: CrashPolicy(), metrics: NOOPMetricsHandler.instance)
        tracker.recordCrash(WorkerExit(.signal(SIGABRT)), during: "flush")
        #expect(tracker.history.map(\.signal) == ["SIGABRT"])
        #expect(tracker.history.first?.during == "flush")
        #expect(tracker.history.first?.eventId == nil)
    }
}

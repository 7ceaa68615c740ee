import Foundation
@testable import PakaPipeline
@testable import PakaPluginHost
import Testing

/// `DeadLetterQuery`'s crash-only filter (the console's "crashes only"), on the reasons the host
/// writes for crashes and hangs (`CrashReport.message`) and on a plugin's own FAIL reason.
@Suite struct DeadLetterQueryTests {
    private func record(_ reason: String) -> DeadLetterRecord {
        DeadLetterRecord(id: "audit.event.dlq:0:1", eventId: "e1", topic: "audit.event", partition: 0, offset: 1, time: Date(),
                         attempts: 2, reason: reason, pluginVersion: "1.0.0", source: "kafka", replayOf: nil, replayBy: nil, state: "pending")
    }

    @Test func crashOnlyKeepsCrashesAndHangsAndLeavesOutPluginFailures() {
        var query = DeadLetterQuery()
        query.crashesOnly = true
        let crash = CrashReport(plugin: "p", exit: WorkerExit(.signal(11)), attempts: 2).message
        let hang = CrashReport(plugin: "p", exit: WorkerExit(.timeout(milliseconds: 500)), attempts: 2).message
        #expect(query.matches(record(crash)), "\(crash)")
        #expect(query.matches(record(hang)), "\(hang)")
        #expect(!query.matches(record("handler crashed on marker-bug")), "a plugin's own FAIL text is not a crash")
        query.crashesOnly = false
        #expect(query.matches(record("handler crashed on marker-bug")))
    }
}

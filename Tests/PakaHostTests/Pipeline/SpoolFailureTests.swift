import Foundation
@testable import PakaPipeline
@testable import PakaPluginHost
@testable import PakaServer
import Testing

/// The local spool when the disk refuses to write: nothing traps, nothing is dropped silently.
///
/// The failure is real: the spool file is a symlink to `/dev/full`, where every write fails with
/// ENOSPC (as on a full disk), whoever runs the test (root ignores read-only permissions).
@Suite struct SpoolFailureTests {
    static func makeDiskFull(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: "/dev/full")
    }

    @Test func aDeadLetterTheDiskRefusesIsHeldInMemoryCountedAndWrittenWhenTheDiskTakesItAgain() async throws {
        let harness = try SynchronousHarness(plugins: [("doomed", "doomed.in", RetryPolicy())])
        let path = harness.spool.deadLetterPath(for: "doomed.in")
        try Self.makeDiskFull(path)

        let receipt = await harness.router.publish(harness.event("lost?", topic: "doomed.in", data: #""fail""#))
        #expect(receipt.outcomes == ["doomed": .fail("event asked to fail")])
        #expect(receipt.notKept.isEmpty)  // held, so the publisher is not asked to resend
        #expect(harness.spool.heldCount == 1)
        #expect(harness.spool.counters.snapshot.writeFailures >= 1)
        #expect(harness.spool.counters.snapshot.heldInMemory == 1)

        try FileManager.default.removeItem(atPath: path)  // space again
        #expect(harness.spool.writeHeld() == 0)
        let line = try String(contentsOfFile: path, encoding: .utf8)
        #expect(line.contains(#""id":"lost?""#))
        #expect(line.contains(#""error":"event asked to fail""#))
        #expect(harness.spool.counters.snapshot.heldInMemory == 0)
    }

    @Test func whenMemoryForHeldLinesIsFullThePublisherIsToldTheEventWasNotKept() async throws {
        let metrics = PakaMetrics()
        let harness = try SynchronousHarness(plugins: [("doomed", "doomed.in", RetryPolicy())], maxHeldBytes: 0, spoolCounters: metrics.spool)
        try Self.makeDiskFull(harness.spool.deadLetterPath(for: "doomed.in"))

        let receipt = await harness.router.publish(harness.event("refused", topic: "doomed.in", data: #""fail""#))
        #expect(receipt.notKept["doomed"]?.contains("No space left on device") == true)
        #expect(harness.spool.counters.snapshot.notKept == 1)
        #expect(harness.spool.heldCount == 0)
        let text = metrics.render()
        #expect(text.contains("paka_spool_not_kept_total 1\n"))
        #expect(text.contains("paka_spool_write_failures_total 1\n"))
    }

    @Test func aDeferredEventTheDiskRefusesIsHeldNotDropped() async throws {
        let harness = try SynchronousHarness(plugins: [("stuck", "stuck.in", RetryPolicy(initialBackoffMs: 10, maxBackoffMs: 10))])
        try Self.makeDiskFull(harness.spool.deferredPath(for: "stuck.in"))
        let receipt = await harness.router.publish(harness.event("stuck-1", topic: "stuck.in", data: #""retry-until-9""#))
        #expect(receipt.notKept.isEmpty)
        #expect(harness.spool.heldCount == 1)
    }

    @Test func aSpoolFolderThatIsAFileIsAnErrorThatNamesTheFile() throws {
        let dir = TemporaryDirectory()
        let blocker = dir.write("dead-letters", "not a folder")
        #expect(throws: SpoolWriteError(file: "\(blocker)/x.jsonl", code: ENOTDIR)) {
            try SpoolFile.appendLine(Array("{}".utf8), to: "\(blocker)/x.jsonl")
        }
    }
}

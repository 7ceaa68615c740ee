import Foundation
@testable import PakaPipeline
@testable import PakaPluginHost
import Testing

/// Replaying deferred events: outside the spool's lock, in order, stopping at the first failure.
@Suite struct DeferredReplayTests {
    struct Refused: Error, CustomStringConvertible { var description: String { "broker said no" } }

    /// Removed when the test's suite value goes, after the test.
    let dir = TemporaryDirectory()

    func spool(deferring ids: [String]) -> LocalSpool {
        let spool = LocalSpool(dataDirectory: dir.file("data"), logger: .test)
        for id in ids { _ = spool.deferForKafka(Self.event(id), plugin: "p", reason: "down") }
        return spool
    }

    static func event(_ id: String) -> CloudEvent { CloudEvent(id: id, source: "t", type: "replay.in", subject: "k", data: Array("{}".utf8)) }

    static func deferredIds(_ spool: LocalSpool) -> [String] {
        let text = (try? String(contentsOfFile: spool.deferredPath(for: "replay.in"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            if case .success(let event) = CloudEvent.parse(Array(line.utf8)) { event.id } else { nil }
        }
    }

    @Test func replayStopsAtTheFirstRefusedEventAndKeepsItAndTheRestInOrder() async throws {
        let spool = self.spool(deferring: ["a", "b", "c"])
        var offered: [String] = []
        let report = await spool.replayDeferred { event in
            offered.append(event.id)
            if event.id == "b" { throw Refused() }
        }
        #expect(offered == ["a", "b"])  // c was not tried after b failed
        #expect(report.sent == 1)
        #expect(report.stoppedBecause?.contains("broker said no") == true)
        #expect(Self.deferredIds(spool) == ["b", "c"])
    }

    @Test func eventsDeferredWhileAReplayAwaitsKafkaAreKeptAfterIt() async throws {
        let spool = self.spool(deferring: ["a", "b"])
        // Deferring from inside `publish` would deadlock if the replay held the spool's lock.
        let report = await spool.replayDeferred { event in
            if event.id == "a" { _ = spool.deferForKafka(Self.event("late"), plugin: "p", reason: "down") }
        }
        #expect(report.sent == 2)
        #expect(Self.deferredIds(spool) == ["late"])
    }

    @Test func aCompleteReplayRemovesTheDeferredFile() async throws {
        let spool = self.spool(deferring: ["a"])
        let report = await spool.replayDeferred { _ in }
        #expect(report == LocalSpool.DeferredReplayPass(sent: 1, unreadable: 0, stoppedBecause: nil))
        #expect(!FileManager.default.fileExists(atPath: spool.deferredPath(for: "replay.in")))
    }
}

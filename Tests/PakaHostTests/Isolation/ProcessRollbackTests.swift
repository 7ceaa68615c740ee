import Foundation
@testable import PakaPipeline
@testable import PakaPluginHost
import PakaTestSupport
import Testing

/// Rolling back a plugin in process isolation: the worker of the earlier version is started
/// again from its file, pinned to the sha256 it had, and the worker being left exits.
@Suite struct ProcessRollbackTests {
    private func pid(_ harness: CrashHarness) throws -> Int32 {
        let response = try #require(harness.plugin?.serveHTTP(PluginHTTPRequest(method: "GET", path: "/")))
        return Int32(try #require((try JSONValue.parse(response.body))["pid"]?.numberValue))
    }

    @Test func rollingBackAProcessPluginStartsTheEarlierVersionsWorkerAndTheLeftOneExits() async throws {
        let harness = try CrashHarness()
        #expect(harness.apply().isEmpty)
        let firstSHA = try #require(harness.plugin?.image.sha256)
        var swapped = harness.entry
        swapped.library = try CrashHarness.fixture(["CRASH_IN_HTTP"])  // another build in another file
        #expect(harness.registry.apply(PakaConfiguration(pluginDir: harness.dir.path, plugins: [swapped])).isEmpty)
        let swappedWorker = try pid(harness)

        let restored = try harness.registry.rollback("crashing")
        #expect(restored.image.sha256 == firstSHA)
        #expect(harness.plugin?.image.sha256 == firstSHA)
        let restoredWorker = try pid(harness)
        #expect(restoredWorker != swappedWorker)
        #expect(await eventually { kill(swappedWorker, 0) == -1 && errno == ESRCH })
        // The history records the rollback as a new entry, as in process.
        let history = harness.registry.statuses().first?.history
        #expect(history?.map(\.state) == ["retired", "retired", "active"])
        #expect(history?.first?.sha256 == firstSHA && history?.last?.sha256 == firstSHA)
    }

    @Test func rollingBackAfterTheFileWasOverwrittenIsRefusedAndTheRunningVersionStays() throws {
        let harness = try CrashHarness()
        // The operator's in-place upgrade: one path, first one build, then another.
        var inPlace = harness.entry
        inPlace.library = harness.dir.file("libcrashing.so")
        try FileManager.default.copyItem(atPath: harness.entry.library, toPath: inPlace.library)
        let configuration = PakaConfiguration(pluginDir: harness.dir.path, plugins: [inPlace])
        #expect(harness.registry.apply(configuration).isEmpty)
        try FileManager.default.removeItem(atPath: inPlace.library)
        try FileManager.default.copyItem(atPath: try CrashHarness.fixture(["CRASH_IN_HTTP"]), toPath: inPlace.library)
        #expect(harness.registry.apply(configuration).isEmpty)
        let running = try #require(harness.plugin?.image.sha256)
        let worker = try pid(harness)

        // The earlier build is gone from disk, and a worker can only load a file.
        #expect { try harness.registry.rollback("crashing") } throws: { error in
            guard case RollbackError.refused(let refusal) = error else { return false }
            return refusal.reason == .checksumMismatch
        }
        #expect(harness.plugin?.image.sha256 == running)
        #expect(try pid(harness) == worker)
    }
}

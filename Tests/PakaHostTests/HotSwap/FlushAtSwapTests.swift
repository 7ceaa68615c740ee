import Foundation
@testable import PakaPipeline
@testable import PakaPluginHost
@testable import PakaServer
import Testing

/// A swap retires the old version through its `flush`: buffered work lands before `destroy`,
/// a failing flush is logged and counted, and a flush that keeps asking for a retry gets a
/// bounded wait.
@Suite struct FlushAtSwapTests {
    let dir = TemporaryDirectory()
    var record: String { dir.file("record.txt") }

    let metrics = PakaMetrics()

    func registry(flushWait: Duration = .seconds(10)) -> PluginRegistry {
        var options = PluginRegistry.Options(metrics: metrics.factory)
        options.flushWait = flushWait
        return PluginRegistry(services: HostServices(dataDirectory: dir.file("data"), logger: .test), options: options, logger: .test)
    }

    func entry(version: String, flush: String) throws -> PluginEntry {
        let library = try PluginCompiler.build("\(TestPaths.fixtures)/flushing.c", defines: ["FIXTURE_VERSION=\"\(version)\""], name: "flushing")
        return PluginEntry(name: "flushing", library: library, config: .object(["record": .string(record), "flush": .string(flush)]))
    }

    func swap(_ registry: PluginRegistry, from old: String) throws {
        #expect(registry.apply(PakaConfiguration(pluginDir: dir.path, plugins: [try entry(version: "1.0.0", flush: old)])).isEmpty)
        let plugin = try #require(registry.active(named: "flushing"))
        #expect(plugin.handle([PluginEvent(id: "e1", topic: "flushing.in", key: [], payload: Array("{}".utf8), attempt: 1)]) == [.ok])
        #expect(registry.apply(PakaConfiguration(pluginDir: dir.path, plugins: [try entry(version: "2.0.0", flush: "ok")])).isEmpty)
        #expect(registry.active(named: "flushing")?.descriptor.version == "2.0.0")
    }

    /// What version 1.0.0 did, in order.
    var oldVersionSteps: [String] {
        ((try? String(contentsOfFile: record, encoding: .utf8)) ?? "").split(separator: "\n")
            .filter { $0.hasPrefix("1.0.0 ") }.map { String($0.dropFirst(6)) }
    }

    @Test func aSwapKeepsTheOldVersionUntilItsFlushSucceedsThenDestroysIt() throws {
        let registry = registry()
        defer { registry.shutdown() }
        try swap(registry, from: "retry-until-3")
        #expect(oldVersionSteps == ["buffered e1", "flush 1 retry", "flush 2 retry", "flush 3 ok", "wrote e1", "destroyed"])
        #expect(registry.flushes.snapshot["flushing"] == FlushCounters.Counts(succeeded: 1, failed: 0))
    }

    @Test func aFailingFlushAtSwapIsCountedAndTheNewVersionServes() throws {
        let registry = registry()
        defer { registry.shutdown() }
        try swap(registry, from: "fail")
        #expect(oldVersionSteps == ["buffered e1", "flush 1 fail", "destroyed"])
        #expect(registry.flushes.snapshot["flushing"] == FlushCounters.Counts(succeeded: 0, failed: 1))
        #expect(metrics.render().contains(#"paka_plugin_flushes_total{plugin="flushing",result="failed"} 1"#))
        let plugin = try #require(registry.active(named: "flushing"))
        #expect(plugin.handle([PluginEvent(id: "e2", topic: "flushing.in", key: [], payload: Array("{}".utf8), attempt: 1)]) == [.ok])
    }

    @Test func aFlushThatKeepsAskingForARetryIsDestroyedWhenTheBoundedWaitEnds() throws {
        let registry = registry(flushWait: .milliseconds(300))
        defer { registry.shutdown() }
        try swap(registry, from: "retry")
        let steps = oldVersionSteps
        #expect(steps.first == "buffered e1")
        #expect(steps.last == "destroyed")
        #expect(steps.filter { $0.hasSuffix(" retry") }.count >= 2)  // asked again, not given up at once
        #expect(!steps.contains("wrote e1"))
        #expect(registry.flushes.snapshot["flushing"] == FlushCounters.Counts(succeeded: 0, failed: 1))
    }
}

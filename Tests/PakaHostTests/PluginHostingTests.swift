import Foundation
import PakaPipeline
import PakaPluginHost
import Testing

/// Plugins loaded into a registry and called through the ABI, Swift and C side by side.
@Suite struct PluginHostingTests {
    let dir = TemporaryDirectory()

    private func event(_ id: String, topic: String, data: String, attempt: UInt32 = 1) -> PluginEvent {
        let envelope = CloudEvent(id: id, source: "test", type: topic, subject: "r-\(id)", data: Array(data.utf8))
        return PluginEvent(id: id, topic: topic, key: Array("r-\(id)".utf8), payload: envelope.jsonBytes, attempt: attempt)
    }

    private func configuration(_ entries: [PluginEntry]) -> PakaConfiguration {
        PakaConfiguration(pluginDir: dir.path, plugins: entries)
    }

    @Test func swiftAndCPluginsLoadTogetherAndCallTheHostTable() throws {
        let services = RecordingHostServices()
        let registry = PluginRegistry(services: services, logger: .test)
        let database = try ScratchDatabase()  // the audit plugin stores its events in PostgreSQL
        let refusals = registry.apply(configuration([
            PluginEntry(name: "audit", library: TestPaths.builtPlugin("AuditLogger"), config: .object(["databaseURL": .string(database.url)])),
            // The notification processor refuses to start without its database (scripts/test sets DATABASE_URL).
            PluginEntry(name: "notification", library: TestPaths.builtPlugin("NotificationProcessor"),
                        config: .object(["databaseURL": .string(ProcessInfo.processInfo.environment["DATABASE_URL"] ?? "")])),
            PluginEntry(name: "echo", library: try PluginCompiler.echo(name: "echo-host")),
        ]))
        #expect(refusals.isEmpty)
        #expect(registry.consumers(of: "audit.event").map(\.name) == ["audit"])
        #expect(registry.active(named: "audit")?.groupId == "paka-audit-logger")
        #expect(registry.active(named: "notification")?.groupId == "paka-notification-processor")

        #expect(registry.active(named: "audit")?.handle([event("a1", topic: "audit.event", data: #"{"action":"x","resource":"r"}"#)]) == [.ok])
        #expect(registry.active(named: "echo")?.handle([event("e1", topic: "echo.in", data: "{}"), event("e2", topic: "echo.in", data: "{}")]) == [.ok, .ok])

        #expect(services.logs.contains("[echo] 1.0.0 got e2"))
        #expect(services.published == [
            .init(plugin: "echo", topic: "echo.out", key: "r-e1", data: #"{"echoed":true,"id":"e1"}"#),
            .init(plugin: "echo", topic: "echo.out", key: "r-e2", data: #"{"echoed":true,"id":"e2"}"#),
        ])
        registry.shutdown()
    }

    @Test func batchGetsOneResultPerEventWithThePluginsMessages() throws {
        let registry = PluginRegistry(services: RecordingHostServices(), logger: .test)
        registry.apply(configuration([PluginEntry(name: "scripted", library: try PluginCompiler.build(name: "scripted"))]))
        let plugin = try #require(registry.active(named: "scripted"))
        let outcomes = plugin.handle([
            event("1", topic: "scripted.in", data: #"{"n":1}"#),
            event("2", topic: "scripted.in", data: #""fail""#),
            event("3", topic: "scripted.in", data: #""retry-until-3""#, attempt: 2),
            event("4", topic: "scripted.in", data: #""retry-until-3""#, attempt: 3),
        ])
        #expect(outcomes == [.ok, .fail("event asked to fail"), .retry("not yet"), .ok])
        #expect(plugin.counters.snapshot == .init(handled: 2, retried: 1, failed: 1, deadLettered: 0, lastError: "not yet"))
        #expect(plugin.health()?.message == "handled 2")
        let response = plugin.serveHTTP(PluginHTTPRequest(method: "GET", path: "/stats"))
        #expect(response?.status == 200)
        #expect(response.map { String(decoding: $0.body, as: UTF8.self) } == #"{"path":"/stats","handled":2}"#)
        registry.shutdown()
    }

    /// The instance keeps its batch buffer between calls: a smaller batch after a larger one must
    /// reach the plugin as itself (ids, payloads), not as what the buffer held before.
    @Test func eachBatchReachesThePluginAsItIsWhateverTheBatchBeforeIt() throws {
        let record = dir.file("record")
        let registry = PluginRegistry(services: RecordingHostServices(), logger: .test)
        registry.apply(configuration([PluginEntry(name: "scripted", library: try PluginCompiler.build(name: "scripted"),
                                                  config: .object(["record": .string(record)]))]))
        let plugin = try #require(registry.active(named: "scripted"))
        let padding = String(repeating: "p", count: 2_000)
        let large = (0..<200).map { event("large-\($0)", topic: "scripted.in", data: #"{"pad":"\#(padding)","why":"fail"}"#) }
        #expect(plugin.handle(large) == Array(repeating: .fail("event asked to fail"), count: 200))
        let small = [event("s1", topic: "scripted.in", data: "{}"), event("s2", topic: "scripted.in", data: #""fail""#),
                     event("s3", topic: "scripted.in", data: #"{"n":3}"#)]
        #expect(plugin.handle(small) == [.ok, .fail("event asked to fail"), .ok])
        #expect(plugin.handle([event("s4", topic: "scripted.in", data: "{}")]) == [.ok])
        registry.shutdown()
        let handled = try String(contentsOfFile: record, encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ")[1] }
        #expect(handled == ["s1", "s3", "s4"])
    }

    @Test func createFailureIsReportedWithThePluginsMessageAndKeepsTheRunningVersion() throws {
        let registry = PluginRegistry(services: RecordingHostServices(), logger: .test)
        let path = dir.file("libscripted.so")
        try FileManager.default.copyItem(atPath: try PluginCompiler.build(name: "scripted"), toPath: path)
        registry.apply(configuration([PluginEntry(name: "scripted", library: "libscripted.so")]))
        let running = try #require(registry.active(named: "scripted"))

        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.copyItem(atPath: try PluginCompiler.build(defines: ["FIXTURE_CREATE_FAILS"], name: "createfails"), toPath: path)
        let refusals = registry.apply(configuration([PluginEntry(name: "scripted", library: "libscripted.so")]))

        #expect(refusals.map(\.reason) == [.createFailed])
        #expect(refusals.first?.message.contains("refused to start: missing setting 'token' (set it in plugins.json)") == true)
        #expect(registry.active(named: "scripted") === running)
        #expect(running.handle([event("x", topic: "scripted.in", data: "{}")]) == [.ok])
        #expect(registry.statuses().first?.lastError?.contains("missing setting 'token'") == true)
        registry.shutdown()
    }

    @Test func entryNamingAnotherPluginIsRefused() throws {
        let registry = PluginRegistry(services: RecordingHostServices(), logger: .test)
        let refusals = registry.apply(configuration([PluginEntry(name: "audit", library: try PluginCompiler.echo(name: "echo-mismatch"))]))
        #expect(refusals.map(\.reason) == [.nameMismatch])
        #expect(refusals.first?.message.contains("entry 'audit' points at plugin 'echo'") == true)
        #expect(registry.statuses().first?.state == .failed)
    }

    @Test func changedFileLoadsAsASecondVersionBesideTheFirst() throws {
        let registry = PluginRegistry(services: RecordingHostServices(), logger: .test)
        let path = dir.file("libecho.so")
        try FileManager.default.copyItem(atPath: try PluginCompiler.echo(version: "1.0.0", name: "echo-v1"), toPath: path)
        registry.apply(configuration([PluginEntry(name: "echo", library: "libecho.so")]))
        let first = try #require(registry.active(named: "echo"))

        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.copyItem(atPath: try PluginCompiler.echo(version: "2.0.0", name: "echo-v2"), toPath: path)
        registry.apply(configuration([PluginEntry(name: "echo", library: "libecho.so")]))
        let second = try #require(registry.active(named: "echo"))

        #expect(first.descriptor.version == "1.0.0")
        #expect(second.descriptor.version == "2.0.0")
        #expect(first.isRetired)
        #expect(first.handle([event("late", topic: "echo.in", data: "{}")]) == nil)
        #expect(second.handle([event("new", topic: "echo.in", data: "{}")]) == [.ok])
        #expect(registry.statuses().first?.history.map(\.version) == ["1.0.0", "2.0.0"])
        registry.shutdown()
    }

    @Test func twoHundredLoadCyclesDoNotCrash() throws {
        let registry = PluginRegistry(services: RecordingHostServices(), logger: .test)
        let versions = [try PluginCompiler.echo(version: "1.0.0", name: "echo-c1"), try PluginCompiler.echo(version: "2.0.0", name: "echo-c2")]
        let path = dir.file("libecho.so")
        for cycle in 0..<200 {
            try? FileManager.default.removeItem(atPath: path)
            try FileManager.default.copyItem(atPath: versions[cycle % 2], toPath: path)
            #expect(registry.apply(configuration([PluginEntry(name: "echo", library: "libecho.so")])).isEmpty)
            #expect(registry.active(named: "echo")?.handle([event("c\(cycle)", topic: "echo.in", data: "{}")]) == [.ok])
        }
        #expect(registry.statuses().first?.history.count == 200)
        registry.shutdown()
    }

    @Test func disablingAPluginStopsIt() throws {
        let registry = PluginRegistry(services: RecordingHostServices(), logger: .test)
        let library = try PluginCompiler.echo(name: "echo-disable")
        registry.apply(configuration([PluginEntry(name: "echo", library: library)]))
        let running = try #require(registry.active(named: "echo"))
        registry.apply(configuration([PluginEntry(name: "echo", library: library, enabled: false)]))
        #expect(registry.active(named: "echo") == nil)
        #expect(running.isRetired)
        #expect(registry.statuses().first?.state == .disabled)
    }
}

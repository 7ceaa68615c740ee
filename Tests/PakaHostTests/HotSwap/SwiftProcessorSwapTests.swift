import Foundation
@testable import PakaPipeline
@testable import PakaPluginHost
import Testing

/// A new build of each shipped (Swift) processor copied over the running one is swapped in, and
/// back: the two images define the same Swift types, which is where a Swift runtime would trip.
@Suite(.serialized) struct SwiftProcessorSwapTests {
    struct Processor: Sendable, CustomStringConvertible {
        let name: String
        let product: String
        let topic: String
        var description: String { name }
    }

    static let processors = [
        Processor(name: "audit", product: "AuditLogger", topic: "audit.event"),
        Processor(name: "document", product: "DocumentProcessor", topic: "document.uploaded"),
        Processor(name: "notification", product: "NotificationProcessor", topic: "notification.send"),
        Processor(name: "report", product: "ReportGenerator", topic: "report.generate"),
    ]

    /// A "new build": the same code with different bytes (a trailing marker the loader ignores), so
    /// the registry sees a changed file and loads a second image of the same Swift module.
    private func writeNewBuild(of original: String, to library: String, marker: String) throws {
        var bytes = try Data(contentsOf: URL(fileURLWithPath: original))
        bytes.append(contentsOf: Array("paka-test-build \(marker)".utf8))
        let temporary = (library as NSString).deletingLastPathComponent + "/.incoming.tmp"
        try bytes.write(to: URL(fileURLWithPath: temporary))
        #expect(rename(temporary, library) == 0)
    }

    /// A CloudEvent whose data is not the processor's JSON object: every processor answers FAIL,
    /// which runs its Swift parsing and error paths.
    private func malformed(_ topic: String, _ id: String) -> PluginEvent {
        let envelope = CloudEvent(id: UUID().uuidString.lowercased(), source: "paka/test", type: topic, subject: id, data: Array("[1,2]".utf8))
        return PluginEvent(id: envelope.id, topic: topic, key: Array(id.utf8), payload: envelope.jsonBytes, attempt: 1)
    }

    private static func isFail(_ outcome: EventOutcome) -> Bool {
        if case .fail = outcome { return true }
        return false
    }

    @Test(arguments: processors)
    func aNewBuildCopiedOverTheRunningProcessorTakesOverAndTheOldOneIsRetired(_ processor: Processor) throws {
        let dir = TemporaryDirectory()
        let database = try ScratchDatabase()
        let original = TestPaths.builtPlugin(processor.product)
        let library = dir.file("lib\(processor.product).so")
        try FileManager.default.copyItem(atPath: original, toPath: library)
        let configuration = PakaConfiguration(pluginDir: dir.path, plugins: [
            PluginEntry(name: processor.name, library: library.components(separatedBy: "/").last!,
                        config: .object(["databaseURL": .string(database.url), "dataDir": .string(dir.file("data"))])),
        ])
        let registry = PluginRegistry(services: RecordingHostServices(), logger: .test)
        defer { registry.shutdown() }
        try #require(registry.apply(configuration).isEmpty)
        let first = try #require(registry.active(named: processor.name))
        #expect(first.handle([malformed(processor.topic, "before")]).flatMap(\.first).map(Self.isFail) == true)

        try writeNewBuild(of: original, to: library, marker: "2")
        #expect(registry.apply(configuration).map(\.message) == [])
        let second = try #require(registry.active(named: processor.name))
        #expect(second !== first)
        #expect(first.isRetired)
        #expect(second.image.sha256 != first.image.sha256)
        #expect(second.handle([malformed(processor.topic, "after")]).flatMap(\.first).map(Self.isFail) == true)
        #expect(second.health()?.healthy ?? true)

        // And back to the first bytes: its image is still resident and is reused.
        try FileManager.default.removeItem(atPath: library)
        try FileManager.default.copyItem(atPath: original, toPath: library)
        #expect(registry.apply(configuration).map(\.message) == [])
        let third = try #require(registry.active(named: processor.name))
        #expect(third.image === first.image)
        #expect(second.isRetired)
        #expect(third.handle([malformed(processor.topic, "back")]).flatMap(\.first).map(Self.isFail) == true)
        #expect(registry.statuses().first?.history.map(\.state) == ["retired", "retired", "active"])
    }

    @Test func anAuditEventWrittenByTheNewBuildIsStoredOnceAcrossTheSwap() throws {
        let dir = TemporaryDirectory()
        let database = try ScratchDatabase()
        let original = TestPaths.builtPlugin("AuditLogger")
        let library = dir.file("libAuditLogger.so")
        try FileManager.default.copyItem(atPath: original, toPath: library)
        let configuration = PakaConfiguration(pluginDir: dir.path, plugins: [
            PluginEntry(name: "audit", library: "libAuditLogger.so", config: .object(["databaseURL": .string(database.url)])),
        ])
        let registry = PluginRegistry(services: RecordingHostServices(), logger: .test)
        defer { registry.shutdown() }
        try #require(registry.apply(configuration).isEmpty)
        let event = AuditFixtures.event(data: #"{"action":"swap","resource":"plugin","resourceId":"audit"}"#)
        #expect(registry.active(named: "audit")?.handle([event]) == [.ok])

        try writeNewBuild(of: original, to: library, marker: "2")
        #expect(registry.apply(configuration).map(\.message) == [])
        // The redelivered event and a new one, both through the new image.
        let next = AuditFixtures.event(data: #"{"action":"swap","resource":"plugin","resourceId":"audit-2"}"#)
        #expect(registry.active(named: "audit")?.handle([event, next]) == [.ok, .ok])
        let rows = try database.connect().execute("SELECT resource_id FROM audit_events WHERE action = 'swap' ORDER BY resource_id")
        #expect(rows.rows.map { $0[0] } == ["audit", "audit-2"])
    }
}

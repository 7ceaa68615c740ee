import Foundation
import PakaPipeline
import PakaPluginHost
import Testing

/// The C code authors copy — the `paka plugin new --lang c` scaffold and examples/c-echo/echo.c —
/// driven through the real loader and host table: hostile ids stay bounded and escaped, a refused
/// publish fails the event instead of retrying it forever.
@Suite struct CPluginExampleTests {
    let dir = TemporaryDirectory()

    /// 300 bytes of quotes, backslashes and letters: what a foreign producer may put in an id.
    static let hostileID = String((0..<300).map { Array("a\"b\\c")[$0 % 5] })

    private func scaffoldLibrary() async throws -> String {
        let folder = dir.file("hostile")
        let new = try await runOffPool(TestPaths.pakaExecutable, ["plugin", "new", "hostile", "--lang", "c", "--topic", "audit.event", "--output", folder])
        try #require(new.status == 0, "\(new.output)")
        let make = try await runOffPool("/usr/bin/env", ["make", "-C", folder, "libhostile.so"])
        try #require(make.status == 0, "\(make.output)")
        return "\(folder)/libhostile.so"
    }

    private func handle(_ library: String, name: String, topic: String, id: String, services: RecordingHostServices) -> [EventOutcome]? {
        let registry = PluginRegistry(services: services, logger: .test)
        defer { registry.shutdown() }
        #expect(registry.apply(PakaConfiguration(pluginDir: dir.path, plugins: [PluginEntry(name: name, library: library)])).isEmpty)
        let envelope = CloudEvent(id: id, source: "test", type: topic, subject: "r-1", data: Array("{}".utf8))
        return registry.active(named: name)?.handle([PluginEvent(id: id, topic: topic, key: Array("r-1".utf8), payload: envelope.jsonBytes)])
    }

    private func decoded(_ json: String?) -> [String: Any]? {
        json.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    @Test func aHostileIdGoesThroughTheCScaffoldBoundedAndEscaped() async throws {
        let services = RecordingHostServices()
        #expect(handle(try await scaffoldLibrary(), name: "hostile", topic: "audit.event", id: Self.hostileID, services: services) == [.ok])
        #expect(decoded(services.published.first?.data)?["source"] as? String == Self.hostileID)
        let log = try #require(services.logs.first)
        #expect(log.hasPrefix("[hostile] hostile got a\"b\\c") && log.utf8.count < "[hostile] ".utf8.count + 256, "\(log)")
    }

    @Test func aHostileIdGoesThroughEchoBoundedAndEscaped() throws {
        let services = RecordingHostServices()
        #expect(handle(try PluginCompiler.echo(name: "echo-hostile"), name: "echo", topic: "echo.in", id: Self.hostileID, services: services) == [.ok])
        let data = try #require(decoded(services.published.first?.data))
        #expect(data["id"] as? String == Self.hostileID && data["echoed"] as? Bool == true)
        // The log line stops at echo's 160-byte buffer: a cut id, not a read past the stack.
        #expect(services.logs == ["[echo] 1.0.0 got " + (String(Self.hostileID.utf8.prefix(159 - "1.0.0 got ".utf8.count)) ?? "")])
    }

    @Test func aPublishRefusedForGoodFailsTheEventInBoth() async throws {
        let refused = PluginPublishOutcome.refused("'bad topic' is not a valid Kafka topic name")
        let scaffold = handle(try await scaffoldLibrary(), name: "hostile", topic: "audit.event", id: "e1", services: RecordingHostServices(publishAnswer: refused))
        #expect(scaffold == [.fail("publish on hostile.processed: 'bad topic' is not a valid Kafka topic name")])
        let echo = handle(try PluginCompiler.echo(name: "echo-refused"), name: "echo", topic: "echo.in", id: "e1", services: RecordingHostServices(publishAnswer: refused))
        #expect(echo == [.fail("publish on echo.out: 'bad topic' is not a valid Kafka topic name")])
    }

    @Test func aPublishTheHostCannotTakeYetRetriesTheEventInBoth() async throws {
        let later = PluginPublishOutcome.retryLater("the host is still starting")
        let scaffold = handle(try await scaffoldLibrary(), name: "hostile", topic: "audit.event", id: "e1", services: RecordingHostServices(publishAnswer: later))
        #expect(scaffold == [.retry("publish on hostile.processed: the host is still starting")])
        let echo = handle(try PluginCompiler.echo(name: "echo-later"), name: "echo", topic: "echo.in", id: "e1", services: RecordingHostServices(publishAnswer: later))
        #expect(echo == [.retry("publish on echo.out: the host is still starting")])
    }
}

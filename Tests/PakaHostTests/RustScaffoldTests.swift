import Foundation
import PakaPipeline
import PakaPluginHost
import Testing

/// Where cargo is, if this machine has it (rustup installs it under ~/.cargo/bin, often off PATH).
enum Cargo {
    static let path: String? = {
        let env = ProcessInfo.processInfo.environment
        let folders = (env["PATH"] ?? "").split(separator: ":").map(String.init)
            + [env["CARGO_HOME"].map { "\($0)/bin" }, env["HOME"].map { "\($0)/.cargo/bin" }, "/root/.cargo/bin"].compactMap { $0 }
        return folders.map { "\($0)/cargo" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// The environment with cargo's folder (and rustc next to it) first on PATH.
    static var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        if let path { env["PATH"] = ((path as NSString).deletingLastPathComponent) + ":" + (env["PATH"] ?? "/usr/bin:/bin") }
        return env
    }
}

/// `paka plugin new NAME --lang rust`: a cargo cdylib crate that builds offline, passes its own
/// test, `paka plugin check` and `paka plugin test`, and runs in a host.
@Suite(.enabled(if: Cargo.path != nil, "cargo is not installed on this machine (rustup: ~/.cargo/bin/cargo); the Rust scaffold cannot be built"))
struct RustScaffoldTests {
    let dir = TemporaryDirectory()

    @Test func rustScaffoldBuildsPassesItsTestsCheckAndPluginTestAndRunsInAHost() async throws {
        let folder = dir.file("rusty")
        let new = try await runOffPool(TestPaths.pakaExecutable, ["plugin", "new", "rusty", "--lang", "rust", "--topic", "audit.event", "--output", folder])
        try #require(new.status == 0, "\(new.output)")
        let header = try await runOffPool(TestPaths.pakaExecutable, ["plugin", "header", "--rust"])
        #expect(header.output == (try String(contentsOfFile: "\(folder)/src/paka_abi.rs", encoding: .utf8)))

        // make test: cargo test (the crate's own test), a debug build, then `paka plugin test` on events.jsonl.
        let test = try await runOffPool("/usr/bin/env", ["make", "-C", folder, "test"], environment: Cargo.environment)
        try #require(test.status == 0, "\(test.output)")
        #expect(test.output.contains("test result: ok. 1 passed"), "\(test.output)")
        #expect(test.output.contains("2 events: 2 OK, 0 FAIL, 0 RETRY"), "\(test.output)")

        let build = try await runOffPool("/usr/bin/env", ["make", "-C", folder], environment: Cargo.environment)
        try #require(build.status == 0, "\(build.output)")
        let library = "\(folder)/target/release/librusty.so"
        let check = try await runOffPool(TestPaths.pakaExecutable, ["plugin", "check", library])
        #expect(check.status == 0 && check.output.contains("minor 1;") && check.output.contains("description:  logs each event"), "\(check.output)")

        // A hostile id through the release build in a real registry: escaped, and a refusal FAILs.
        let services = RecordingHostServices()
        #expect(handle(library, id: CPluginExampleTests.hostileID, services: services) == [.ok])
        let data = try #require(services.published.first?.data)
        let object = try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any]
        #expect(object?["source"] as? String == CPluginExampleTests.hostileID)
        #expect(services.logs.first == "[rusty] rusty got \(CPluginExampleTests.hostileID) on audit.event")
        let refused = handle(library, id: "e1", services: RecordingHostServices(publishAnswer: .refused("not a valid topic")))
        #expect(refused == [.fail("publish refused: not a valid topic")])
        let later = handle(library, id: "e1", services: RecordingHostServices(publishAnswer: .retryLater("still starting")))
        #expect(later == [.retry("publish not taken now: still starting")])
    }

    private func handle(_ library: String, id: String, services: RecordingHostServices) -> [EventOutcome]? {
        let registry = PluginRegistry(services: services, logger: .test)
        defer { registry.shutdown() }
        #expect(registry.apply(PakaConfiguration(pluginDir: dir.path, plugins: [PluginEntry(name: "rusty", library: library)])).isEmpty)
        let envelope = CloudEvent(id: id, source: "test", type: "audit.event", subject: "r-1", data: Array("{}".utf8))
        return registry.active(named: "rusty")?.handle([PluginEvent(id: id, topic: "audit.event", key: Array("r-1".utf8), payload: envelope.jsonBytes)])
    }
}

import Foundation
import HummingbirdTesting
@testable import PakaPipeline
@testable import PakaPluginHost
import PakaTestSupport
import Testing

/// A broken v3 dropped over a running v2 is refused with its reason and sha256; v2 keeps
/// handling events.
@Suite(.serialized) struct RejectedVersionTests {
    enum Broken: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case truncated, abiMajorMismatch, createFails, unhealthyAfterCreate

        var testDescription: String { rawValue }

        /// The file to install, and a word the refusal must contain.
        func make(in dir: TemporaryDirectory) throws -> (file: String, reason: String) {
            switch self {
            case .truncated:
                let whole = try Data(contentsOf: URL(fileURLWithPath: try SwapRig.build("3.0.0")))
                let file = dir.file("truncated.so")
                _ = FileManager.default.createFile(atPath: file, contents: whole.prefix(whole.count / 2), attributes: [.posixPermissions: 0o755])
                return (file, "truncated")
            case .abiMajorMismatch: return (try SwapRig.build("3.0.0", ["FIXTURE_ABI_MAJOR=2"]), "ABI")
            case .createFails: return (try SwapRig.build("3.0.0", ["FIXTURE_CREATE_FAILS"]), "missing setting 'token'")
            case .unhealthyAfterCreate: return (try SwapRig.build("3.0.0", ["FIXTURE_UNHEALTHY"]), "unhealthy")
            }
        }
    }

    @Test(arguments: Broken.allCases)
    func brokenV3IsRefusedWithReasonAndSHA256AndV2KeepsHandlingEvents(_ broken: Broken) async throws {
        let rig = try SwapRig(v1: try SwapRig.build("2.0.0"))
        let consumer = try rig.harness.startConsumer()
        rig.startWatching()
        _ = await rig.harness.router.publish(rig.harness.event("before"))
        #expect(await eventually { rig.harness.recorded.map(\.id) == ["before"] })

        let scratch = TemporaryDirectory()
        let (file, reason) = try broken.make(in: scratch)
        let sha = try PluginFileDigest.sha256(ofFileAt: file)
        try rig.install(file)
        #expect(await eventually { rig.status?.rejected?.sha256 == sha })
        let rejected = try #require(rig.status?.rejected)
        #expect(rejected.reason.contains(reason), "\(rejected.reason)")
        #expect(rig.status?.lastError == rejected.reason)
        #expect(rig.active?.descriptor.version == "2.0.0")
        #expect(rig.status?.state == .active)

        _ = await rig.harness.router.publish(rig.harness.event("after"))
        #expect(await eventually { rig.harness.recorded.map(\.id) == ["before", "after"] })
        #expect(rig.harness.recorded.allSatisfy { $0.version == "2.0.0" })
        await consumer.stop()
    }

    @Test func anUnchangedRefusedFileIsNotLoadedAgainByTheWatcherButIsByAnExplicitReload() async throws {
        let rig = try SwapRig(v1: try SwapRig.build("2.0.0"))
        try rig.install(try SwapRig.build("3.0.0", ["FIXTURE_ABI_MAJOR=2"]))
        #expect(rig.reload().count == 1)
        let first = try #require(rig.status?.rejected)
        #expect(rig.reload().isEmpty)  // the watcher's reload: same file, same entry → left alone
        #expect(rig.status?.rejected?.at == first.at)
        let configuration = try PakaConfiguration.load(path: rig.pluginsFile, environment: [:])
        #expect(rig.registry.apply(configuration).count == 1)  // POST /plugins/reload tries again
        #expect(try #require(rig.status?.rejected?.at) > first.at)
    }

    @Test func getPluginsShowsTheRejectedFileWithItsSHA256ReasonAndTime() async throws {
        let pluginDir = TemporaryDirectory()
        let library = pluginDir.file("libscripted.so")
        try FileManager.default.copyItem(atPath: try SwapRig.build("2.0.0"), toPath: library)
        let host = try await TestHost(plugins: #"[{"name": "scripted", "library": "\#(library)"}]"#)
        let broken = try SwapRig.build("3.0.0", ["FIXTURE_CREATE_FAILS"])
        try FileManager.default.removeItem(atPath: library)
        try FileManager.default.copyItem(atPath: broken, toPath: library)
        _ = try host.app.reloadPlugins(retryRejected: false)
        let sha = try PluginFileDigest.sha256(ofFileAt: broken)
        let headers = try await host.bearer()
        try await host.test { client in
            let response = try await client.execute(uri: "/plugins", method: .get, headers: headers)
            #expect(response.status == .ok)
            let list = try #require((try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [[String: Any]])
            let plugin = try #require(list.first)
            #expect(plugin["version"] as? String == "2.0.0")
            let rejected = try #require(plugin["rejected"] as? [String: Any])
            #expect(rejected["sha256"] as? String == sha)
            #expect((rejected["reason"] as? String)?.contains("missing setting 'token'") == true)
            #expect(rejected["at"] is String)
        }
    }
}

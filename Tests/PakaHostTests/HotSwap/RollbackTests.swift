import Foundation
import HummingbirdTesting
@testable import PakaPipeline
@testable import PakaPluginHost
import Testing

/// `POST /plugins/{name}/rollback` on a host without Kafka (events are processed synchronously,
/// so they show which version is active right away).
@Suite struct RollbackTests {
    /// A host whose scripted plugin records into `record`, loaded from `library`.
    struct Setup {
        let pluginDir = TemporaryDirectory()
        let host: TestHost
        var library: String { pluginDir.file("libscripted.so") }
        var record: String { pluginDir.file("record.txt") }

        init(first version: String) async throws {
            try FileManager.default.copyItem(atPath: try SwapRig.build(version), toPath: pluginDir.file("libscripted.so"))
            host = try await TestHost(plugins: #"[{"name": "scripted", "library": "\#(pluginDir.file("libscripted.so"))", "config": {"record": "\#(pluginDir.file("record.txt"))"}}]"#)
        }

        func install(_ version: String) throws {
            let temporary = pluginDir.file(".libscripted.so.tmp")
            try FileManager.default.copyItem(atPath: try SwapRig.build(version), toPath: temporary)
            #expect(rename(temporary, library) == 0)
            #expect(try host.app.reloadPlugins().isEmpty)
        }

        func publish(_ id: String) async -> Bool {
            await host.app.router.publish(CloudEvent(id: id, source: "test", type: "scripted.in", subject: "k", data: Array("{}".utf8))).mode == .synchronous
        }

        var versions: [String] { PipelineHarness.recorded(record).map(\.version) }
        var activeVersion: String? { host.app.registry.active(named: "scripted")?.descriptor.version }

        func rollback() async throws -> TestResponse {
            let headers = try await host.bearer(admin: true)
            return try await host.test { client in try await client.execute(uri: "/plugins/scripted/rollback", method: .post, headers: headers) }
        }
    }

    @Test func rollbackReturnsToThePreviousVersionAndEventsReachItAgain() async throws {
        let setup = try await Setup(first: "1.0.0")
        try setup.install("2.0.0")
        #expect(await setup.publish("to-v2"))
        let v1Image = try #require(setup.host.app.registry.statuses().first?.history.first?.sha256)

        let response = try await setup.rollback()
        #expect(response.status == .ok)
        #expect(response.object?["ok"] as? Bool == true)
        #expect(setup.activeVersion == "1.0.0")
        #expect(setup.host.app.registry.active(named: "scripted")?.image.sha256 == v1Image)
        #expect(await setup.publish("to-v1-again"))
        #expect(setup.versions == ["2.0.0", "1.0.0"])
        #expect(setup.host.app.registry.statuses().first?.history.map(\.version) == ["1.0.0", "2.0.0", "1.0.0"])
    }

    @Test func rollbackReusesTheResidentImageInsteadOfLoadingItAgain() async throws {
        let setup = try await Setup(first: "1.0.0")
        let v1 = try #require(setup.host.app.registry.active(named: "scripted"))
        try setup.install("2.0.0")
        #expect(try await setup.rollback().status == .ok)
        #expect(setup.host.app.registry.active(named: "scripted")?.image === v1.image)
    }

    @Test func rollbackAnswers409WhenThereIsNoEarlierVersion() async throws {
        let setup = try await Setup(first: "1.0.0")
        let response = try await setup.rollback()
        #expect(response.status == .conflict)
        #expect(response.object?["ok"] as? Bool == false)
        #expect((response.object?["error"] as? String)?.contains("no earlier version") == true)
        #expect(setup.activeVersion == "1.0.0")
    }

    @Test func rollbackOfAnUnknownPluginIs404() async throws {
        let setup = try await Setup(first: "1.0.0")
        let headers = try await setup.host.bearer(admin: true)
        let status = try await setup.host.test { client in
            try await client.execute(uri: "/plugins/nobody/rollback", method: .post, headers: headers).status
        }
        #expect(status == .notFound)
    }

    @Test func rollbackNeedsAnAdminToken() async throws {
        let setup = try await Setup(first: "1.0.0")
        let headers = try await setup.host.bearer(admin: false)
        let status = try await setup.host.test { client in
            try await client.execute(uri: "/plugins/scripted/rollback", method: .post, headers: headers).status
        }
        #expect(status == .forbidden)
    }

    @Test func repeatedRollbacksWalkBackThroughTheHistoryThen409() async throws {
        let setup = try await Setup(first: "1.0.0")
        try setup.install("2.0.0")
        try setup.install("3.0.0")
        #expect(try await setup.rollback().status == .ok)
        #expect(setup.activeVersion == "2.0.0")
        #expect(try await setup.rollback().status == .ok)
        #expect(setup.activeVersion == "1.0.0")
        #expect(try await setup.rollback().status == .conflict)
    }

    @Test func aRollbackHoldsAcrossReloadsUntilTheFileChanges() async throws {
        let setup = try await Setup(first: "1.0.0")
        try setup.install("2.0.0")
        #expect(try await setup.rollback().status == .ok)
        #expect(try setup.host.app.reloadPlugins().isEmpty)  // plugins.json still names the v2 file
        #expect(setup.activeVersion == "1.0.0")
        try setup.install("3.0.0")
        #expect(setup.activeVersion == "3.0.0")
    }
}

import Foundation
import Hummingbird
import HummingbirdTesting
@testable import PakaPipeline
@testable import PakaPluginHost
import Testing

/// What an operator sees of a crashing process-isolated plugin over HTTP: state `crashed` with
/// the last crash in `GET /plugins` and `/health`, the crash counters in `/metrics`, and
/// `POST /plugins/{name}/restart` bringing it back.
@Suite struct CrashRouteTests {
    private func crashedHost() async throws -> TestHost {
        _ = TestPaths.workerExecutableInEnvironment
        let entry = #"{"name": "crashing", "library": "\#(try CrashHarness.fixture())", "isolation": "process"}"#
        let host = try await TestHost(plugins: "[\(entry)]")
        let plugin = try #require(host.app.registry.active(named: "crashing"))
        // Each poison costs two crashes (alone, twice); the second poison reaches the limit of 4.
        for id in ["bad-1", "bad-2"] {
            _ = plugin.handle([PluginEvent(id: id, topic: "scripted.in", key: [], payload: Array(#"{"data":"segv"}"#.utf8))])
        }
        #expect(plugin.isCrashed)
        return host
    }

    @Test func crashedPluginIsListedWithItsLastCrashAndMakesHealth503() async throws {
        let host = try await crashedHost()
        let headers = try await host.bearer()
        try await host.test { client in
            let list = try await client.execute(uri: "/plugins", method: .get, headers: headers)
            let plugins = try #require((try JSONSerialization.jsonObject(with: Data(list.text.utf8))) as? [[String: Any]])
            let crashing = try #require(plugins.first)
            #expect(crashing["state"] as? String == "crashed")
            #expect(crashing["isolation"] as? String == "process")
            let last = try #require(crashing["lastCrash"] as? [String: Any])
            #expect(last["reason"] as? String == "SIGSEGV")
            #expect(last["during"] as? String == "handle")
            #expect(last["consecutive"] as? Int == 4)
            #expect(crashing["workerRestarts"] as? Int == 3)

            let health = try await client.execute(uri: "/health", method: .get)
            #expect(health.status == .serviceUnavailable)
            #expect(health.text.contains(#""state":"crashed""#))
            #expect(health.text.contains("crashed (SIGSEGV in handle); POST /plugins/crashing/restart brings it back"))

            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.text.contains(#"paka_plugin_crashes_total{plugin="crashing",reason="SIGSEGV"}"#))
            #expect(metrics.text.contains(#"paka_plugin_worker_restarts_total{plugin="crashing"}"#))
        }
    }

    @Test func crashHistoryListsEachCrashWithItsSignalAndEventAndEachWorkerRestartNewestFirst() async throws {
        let host = try await crashedHost()
        let admin = try await host.bearer(admin: true)
        @Sendable func history(_ client: any TestClientProtocol) async throws -> [[String: Any]] {
            let list = try await client.execute(uri: "/plugins", method: .get, headers: admin)
            let plugins = try #require((try JSONSerialization.jsonObject(with: Data(list.text.utf8))) as? [[String: Any]])
            return try #require(plugins.first?["crashHistory"] as? [[String: Any]])
        }
        try await host.test { client in
            // Each poison: its crash, a restart, its crash again alone (the verdict); bad-2's second crash is the storm's fourth.
            let seen = try await history(client)
            #expect(seen.map { $0["kind"] as? String } == ["crash", "restart", "crash", "restart", "crash", "restart", "crash"])
            let crashes = seen.filter { $0["kind"] as? String == "crash" }
            #expect(crashes.map { $0["signal"] as? String } == Array(repeating: "SIGSEGV", count: 4))
            #expect(crashes.map { $0["eventId"] as? String } == ["bad-2", "bad-2", "bad-1", "bad-1"])
            #expect(crashes.map { $0["consecutive"] as? Int } == [4, 3, 2, 1])
            #expect(crashes.allSatisfy { $0["during"] as? String == "handle" && $0["version"] as? String == "1.0.0" })
            let restart = try #require(seen.first { $0["kind"] as? String == "restart" })
            #expect((restart["reason"] as? String)?.contains("SIGSEGV in handle") == true, "\(restart)")

            // A restart makes a new version: the crashes that led to it stay in the history.
            let restarted = try await client.execute(uri: "/plugins/crashing/restart", method: .post, headers: admin)
            #expect(restarted.status == .ok)
            #expect(try await history(client).count == 7)
        }
    }

    @Test func restartNeedsAnAdminAndBringsTheCrashedPluginBack() async throws {
        let host = try await crashedHost()
        let user = try await host.bearer(), admin = try await host.bearer(admin: true)
        try await host.test { client in
            let refused = try await client.execute(uri: "/plugins/crashing/restart", method: .post, headers: user)
            #expect(refused.status == .forbidden)
            let unknown = try await client.execute(uri: "/plugins/nobody/restart", method: .post, headers: admin)
            #expect(unknown.status == .notFound)
            let restarted = try await client.execute(uri: "/plugins/crashing/restart", method: .post, headers: admin)
            #expect(restarted.status == .ok)
            #expect(restarted.text.contains("plugin 'crashing' restarted (version 1.0.0)"))
            #expect(restarted.text.contains(#""state":"active""#))
        }
        let plugin = try #require(host.app.registry.active(named: "crashing"))
        #expect(!plugin.isCrashed)
        #expect(plugin.handle([PluginEvent(id: "fine", topic: "scripted.in", key: [], payload: Array(#"{"data":{}}"#.utf8))]) == [.ok])
    }

    @Test func enablingACrashedPluginBringsItBackToo() async throws {
        let host = try await crashedHost()
        let admin = try await host.bearer(admin: true)
        try await host.test { client in
            let enabled = try await client.execute(uri: "/plugins/crashing/enable", method: .post, headers: admin)
            #expect(enabled.status == .ok)
        }
        #expect(host.app.registry.active(named: "crashing")?.isCrashed == false)
        #expect(host.app.registry.statuses().first?.state == .active)
    }
}

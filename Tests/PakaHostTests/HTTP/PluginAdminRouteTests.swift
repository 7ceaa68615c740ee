import Foundation
import Hummingbird
import HummingbirdTesting
@testable import PakaPipeline
@testable import PakaPluginHost
import Testing

/// `GET /plugins`, reload, enable/disable (which edit plugins.json), and plugin-served routes.
@Suite struct PluginAdminRouteTests {
    private func scriptedEntry(enabled: Bool = true) throws -> String {
        #"{"name": "scripted", "library": "\#(try PluginCompiler.build(name: "scripted"))", "enabled": \#(enabled), "config": {"token": "${SCRIPTED_SECRET:-none}"}}"#
    }

    @Test func listShowsStatusesAndCountersButNeverTheConfig() async throws {
        let host = try await TestHost(plugins: "[\(try scriptedEntry())]", environment: ["SCRIPTED_SECRET": "hunter2-secret"])
        let headers = try await host.bearer()
        try await host.test { client in
            let response = try await client.execute(uri: "/plugins", method: .get, headers: headers)
            #expect(response.status == .ok)
            #expect(!response.text.contains("hunter2"))
            #expect(!response.text.contains("\"config\""))
            let list = try #require((try JSONSerialization.jsonObject(with: Data(response.text.utf8))) as? [[String: Any]])
            let scripted = try #require(list.first)
            #expect(scripted["name"] as? String == "scripted")
            #expect(scripted["state"] as? String == "active")
            #expect(scripted["version"] as? String == "1.0.0")
            #expect(scripted["abi"] as? String == PluginDescriptor.hostABIVersion)  // built against this header
            #expect((scripted["sha256"] as? String)?.count == 64)
            #expect(scripted["topics"] as? [String] == ["scripted.in"])
            #expect(scripted["capabilities"] as? [String] == ["health", "http"])
            #expect(scripted["loadedAt"] is String)
            #expect((scripted["history"] as? [Any])?.count == 1)
            let counters = try #require(scripted["counters"] as? [String: Int])
            #expect(counters == ["handled": 0, "retried": 0, "failed": 0, "deadLettered": 0])
        }
    }

    @Test func listNeedsAToken() async throws {
        let host = try await TestHost()
        try await host.test { client in
            let response = try await client.execute(uri: "/plugins", method: .get)
            #expect(response.status == .unauthorized)
        }
    }

    @Test(arguments: ["/plugins/reload", "/plugins/scripted/enable", "/plugins/scripted/disable"])
    func adminRoutesAre403WithoutTheOperateScope(route: String) async throws {
        let host = try await TestHost(plugins: "[\(try scriptedEntry())]")
        let headers = try await host.bearer(admin: false)
        try await host.test { client in
            let response = try await client.execute(uri: route, method: .post, headers: headers)
            #expect(response.status == .forbidden)
            #expect(response.object?["error"] as? String
                    == #"this route needs the 'operate' scope; this token has scope 'publish read' (mint one with: paka token --sub NAME --scope "operate", or --admin for all)"#)
        }
        #expect(host.app.registry.active(named: "scripted") != nil)
    }

    @Test func disableEditsPluginsJsonKeepingPlaceholdersAndStopsThePlugin() async throws {
        let host = try await TestHost(plugins: "[\(try scriptedEntry())]", environment: ["SCRIPTED_SECRET": "hunter2-secret"])
        let before = try String(contentsOfFile: host.pluginsFile, encoding: .utf8)
        let headers = try await host.bearer(admin: true)
        try await host.test { client in
            let response = try await client.execute(uri: "/plugins/scripted/disable", method: .post, headers: headers)
            #expect(response.status == .ok, "\(response.text)")
            #expect(response.object?["message"] as? String == "plugin 'scripted' disabled in plugins.json")
        }
        let after = try String(contentsOfFile: host.pluginsFile, encoding: .utf8)
        #expect(after == before.replacingOccurrences(of: #""enabled": true"#, with: #""enabled": false"#))
        #expect(after.contains("${SCRIPTED_SECRET:-none}"))
        #expect(host.app.registry.active(named: "scripted") == nil)
        #expect(host.app.registry.statuses().first?.state == .disabled)
    }

    @Test func enableAddsTheKeyWhenAbsentAndStartsThePlugin() async throws {
        let library = try PluginCompiler.build(name: "scripted")
        let host = try await TestHost(plugins: #"[{"name": "scripted", "library": "\#(library)", "enabled": false}]"#)
        #expect(host.app.registry.active(named: "scripted") == nil)
        // An entry without the key: enable must insert it rather than fail.
        let raw = #"{"pluginDir": ".", "plugins": [{"name": "scripted", "library": "\#(library)", "concurrency": 1}]}"#
        try raw.write(toFile: host.pluginsFile, atomically: true, encoding: .utf8)
        let headers = try await host.bearer(admin: true)
        try await host.test { client in
            let response = try await client.execute(uri: "/plugins/scripted/enable", method: .post, headers: headers)
            #expect(response.status == .ok, "\(response.text)")
        }
        let after = try String(contentsOfFile: host.pluginsFile, encoding: .utf8)
        #expect(after == raw.replacingOccurrences(of: #""name": "scripted""#, with: #""name": "scripted", "enabled": true"#))
        #expect(host.app.registry.active(named: "scripted") != nil)
    }

    @Test func enableOfAnUnknownPluginIs404AndLeavesTheFile() async throws {
        let host = try await TestHost(plugins: "[\(try scriptedEntry())]")
        let before = try String(contentsOfFile: host.pluginsFile, encoding: .utf8)
        let headers = try await host.bearer(admin: true)
        try await host.test { client in
            let response = try await client.execute(uri: "/plugins/nosuch/enable", method: .post, headers: headers)
            #expect(response.status == .notFound)
            #expect((response.object?["error"] as? String)?.hasPrefix("no plugin named 'nosuch'") == true)
        }
        #expect(try String(contentsOfFile: host.pluginsFile, encoding: .utf8) == before)
    }

    @Test func reloadAppliesTheFileAndListsRefusals() async throws {
        let host = try await TestHost(plugins: "[\(try scriptedEntry())]")
        let library = try PluginCompiler.build(name: "scripted")
        try #"{"pluginDir": ".", "plugins": [{"name": "scripted", "library": "\#(library)", "enabled": false}, {"name": "ghost", "library": "libghost.so"}]}"#
            .write(toFile: host.pluginsFile, atomically: true, encoding: .utf8)
        let headers = try await host.bearer(admin: true)
        try await host.test { client in
            let response = try await client.execute(uri: "/plugins/reload", method: .post, headers: headers)
            #expect(response.status == .ok, "\(response.text)")
            let refused = try #require(response.object?["refused"] as? [[String: String]])
            #expect(refused.map { $0["plugin"] } == ["ghost"])
            #expect(refused.map { $0["reason"] } == ["missingFile"])
            #expect((response.object?["plugins"] as? [Any])?.count == 2)
        }
        #expect(host.app.registry.active(named: "scripted") == nil)
    }

    @Test func reloadOfAnInvalidFileIs400WithEveryIssueAndAppliesNothing() async throws {
        let host = try await TestHost(plugins: "[\(try scriptedEntry())]")
        try #"{"pluginDir": ".", "plugins": [{"name": "scripted", "library": "x.so", "enabled": false, "retry": {"maxAttempts": 0}, "colour": "red"}]}"#
            .write(toFile: host.pluginsFile, atomically: true, encoding: .utf8)
        let headers = try await host.bearer(admin: true)
        try await host.test { client in
            let response = try await client.execute(uri: "/plugins/reload", method: .post, headers: headers)
            #expect(response.status == .badRequest)
            #expect(response.object?["ok"] as? Bool == false)
            let issues = try #require(response.object?["issues"] as? [String])
            #expect(issues.count == 2, "\(issues)")
            #expect(issues.contains { $0.hasPrefix("plugins[0].retry.maxAttempts") })
            #expect(issues.contains { $0.contains("colour") })
        }
        #expect(host.app.registry.active(named: "scripted") != nil)
    }

    @Test func pluginRoutesGoToThePluginsHTTPHook() async throws {
        let host = try await TestHost(plugins: "[\(try scriptedEntry())]")
        let headers = try await host.bearer()
        try await host.test { client in
            let response = try await client.execute(uri: "/plugins/scripted/anything?x=1", method: .get, headers: headers)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.text == #"{"path":"/anything","handled":0}"#)
            let nested = try await client.execute(uri: "/plugins/scripted/a/b", method: .post, headers: headers)
            #expect(nested.text == #"{"path":"/a/b","handled":0}"#)
        }
    }

    @Test func pluginRoutesNeedAToken() async throws {
        let host = try await TestHost(plugins: "[\(try scriptedEntry())]")
        try await host.test { client in
            let response = try await client.execute(uri: "/plugins/scripted/anything", method: .get)
            #expect(response.status == .unauthorized)
        }
    }

    @Test func pluginWithoutHookOrNotActiveIs404() async throws {
        let echo = try PluginCompiler.echo(name: "echo-http")
        let host = try await TestHost(plugins: #"[{"name": "echo", "library": "\#(echo)"}, \#(try scriptedEntry(enabled: false))]"#)
        let headers = try await host.bearer()
        try await host.test { client in
            let noHook = try await client.execute(uri: "/plugins/echo/stats", method: .get, headers: headers)
            #expect(noHook.status == .notFound)
            #expect(noHook.object?["error"] as? String == "plugin 'echo' does not serve HTTP (no http hook)")
            let inactive = try await client.execute(uri: "/plugins/scripted/stats", method: .get, headers: headers)
            #expect(inactive.status == .notFound)
            #expect(inactive.object?["error"] as? String == "plugin 'scripted' is not active")
        }
    }
}

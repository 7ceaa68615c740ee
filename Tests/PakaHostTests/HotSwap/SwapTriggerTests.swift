import Foundation
import HummingbirdTesting
@testable import PakaPluginHost
import PakaTestSupport
import Testing

/// The swap history says what made each version active — the host's start, the plugin-directory
/// watcher, an API request, a rollback or a restart — in `GET /plugins` (`history[].trigger`),
/// which the console's versions tab shows as "by".
@Suite struct SwapTriggerTests {
    @Test func swapHistorySaysWhetherTheFileWatcherOrWhichAPIRequestMadeEachVersionActive() async throws {
        let pluginDir = TemporaryDirectory()
        let library = pluginDir.file("libscripted.so")
        try FileManager.default.copyItem(atPath: try SwapRig.build("1.0.0"), toPath: library)
        let host = try await TestHost(plugins: #"[{"name": "scripted", "library": "\#(library)"}]"#, environment: ["PAKA_WATCH_INTERVAL_MS": "30"])
        func install(_ version: String) throws {
            let temporary = pluginDir.file(".libscripted.so.tmp")
            try FileManager.default.copyItem(atPath: try SwapRig.build(version), toPath: temporary)
            #expect(rename(temporary, library) == 0)
        }

        // 2.0.0 renamed over the file: the watcher swaps it in.
        let watcher = try #require(host.app.makeWatcher())
        let watching = Task { try await watcher.run() }
        try await Task.sleep(for: .milliseconds(100))
        try install("2.0.0")
        #expect(await eventually(30) { host.app.registry.active(named: "scripted")?.descriptor.version == "2.0.0" })
        watching.cancel()
        _ = await watching.result

        // 3.0.0 applied by POST /plugins/reload, then a restart and a rollback.
        try install("3.0.0")
        let admin = try await host.bearer(admin: true)
        let list = try await host.test { client -> String in
            for path in ["/plugins/reload", "/plugins/scripted/restart", "/plugins/scripted/rollback"] {
                let response = try await client.execute(uri: path, method: .post, headers: admin)
                #expect(response.status == .ok, "\(path): \(response.text)")
            }
            return try await client.execute(uri: "/plugins", method: .get, headers: admin).text
        }
        let plugins = try #require((try JSONSerialization.jsonObject(with: Data(list.utf8))) as? [[String: Any]])
        let history = try #require(plugins.first?["history"] as? [[String: Any]])
        #expect(history.compactMap { $0["trigger"] as? String } == ["startup", "file", "api", "restart", "rollback"])
        #expect(history.compactMap { $0["version"] as? String } == ["1.0.0", "2.0.0", "3.0.0", "3.0.0", "3.0.0"])
        #expect(history.last?["state"] as? String == "active")
    }
}

import Foundation
import Hummingbird
import HummingbirdTesting
@testable import PakaPipeline
@testable import PakaPluginHost
@testable import PakaServer
import Testing

/// `GET /console`, its script and style as served (the browser test,
/// scripts/console-browser-test.py, drives the page itself).
@Suite struct ConsoleRouteTests {
    @Test func consoleIsOnePublicPageThatLoadsOnlyItsOwnScriptAndStyle() async throws {
        let host = try await TestHost()
        let response = try await host.test { client in try await client.execute(uri: "/console", method: .get) }
        #expect(response.status == .ok)
        #expect(response.headers[.contentType] == "text/html; charset=utf-8")
        let page = response.text
        #expect(page.contains(#"<input id="token" type="password""#))
        #expect(page.contains(#"name="viewport""#))
        // The only references: the same-origin script and style sheet.
        let references = page.ranges(of: #/(src|href)="([^"]*)"/#).map { String(page[$0]) }
        #expect(references.sorted() == [#"href="/console/console.css""#, #"src="/console/console.js""#])
        for inline in ["<style", "<script>", "onclick=", "style=", "url(", "@import", "//cdn"] {
            #expect(!page.contains(inline), "no inline script or style, nothing from elsewhere (\(inline))")
        }
    }

    @Test func everyConsoleFileIsServedWithAStrictContentSecurityPolicy() async throws {
        let host = try await TestHost()
        for (path, type) in [("/console", "text/html"), ("/console/console.js", "text/javascript"), ("/console/console.css", "text/css")] {
            let response = try await host.test { client in try await client.execute(uri: path, method: .get) }
            #expect(response.status == .ok, "\(path)")
            #expect(response.headers[.contentType]?.hasPrefix(type) == true, "\(path)")
            let policy = try #require(response.headers[.contentSecurityPolicy], "\(path)")
            #expect(policy.contains("default-src 'none'"))
            #expect(policy.contains("script-src 'self'") && policy.contains("style-src 'self'"))
            #expect(!policy.contains("unsafe-inline") && !policy.contains("unsafe-eval") && !policy.contains("http"), "\(policy)")
        }
    }

    @Test func scriptUsesTheOperatorAPIAndNeverInnerHTML() async throws {
        let host = try await TestHost()
        let script = try await host.test { client in try await client.execute(uri: "/console/console.js", method: .get) }.text
        for use in ["\"/plugins\"", "/offsets\"", "/dead-letters?", "/dead-letters/replay\"", "/dead-letters/replays/", "/rollback\"", "\"/host\"",
                    "\"/kafka/status\"", "dryRun: true", "ratePerSecond", "crashOnly", "payload: \"true\"", "nextCursor", "sessionStorage"] {
            #expect(script.contains(use), "the script uses \(use)")
        }
        for unsafe in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"] {
            #expect(!script.contains(unsafe), "API data must never become markup or code (\(unsafe))")
        }
    }

    @Test func hostRouteReportsVersionUptimeMemoryAndFallbackMode() async throws {
        let host = try await TestHost()
        let headers = try await host.bearer(scopes: [.read])
        let response = try await host.test { client in try await client.execute(uri: "/host", method: .get, headers: headers) }
        #expect(response.status == .ok)
        let body = try #require(response.object)
        #expect(body["version"] as? String == HostInfoRoutes.version)
        #expect(body["pid"] as? Int == Int(getpid()))
        #expect((body["uptimeSeconds"] as? Double ?? -1) >= 0)
        #expect((body["residentBytes"] as? Int ?? 0) > 1 << 20, "a Swift process holds more than 1 MiB resident")
        #expect(body["kafkaConnected"] as? Bool == false)
        #expect(body["mode"] as? String == "synchronous", "the test host has no Kafka: the fallback")
    }
}

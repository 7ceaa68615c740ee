import Foundation
import Hummingbird
import HummingbirdTesting
@testable import PakaPipeline
@testable import PakaPluginHost
import Testing

/// `GET /console` as served (the browser test, scripts/console-browser-test.py, drives it).
@Suite struct ConsoleRouteTests {
    @Test func consoleIsOnePublicSelfContainedPageThatAsksForAToken() async throws {
        let host = try await TestHost()
        let response = try await host.test { client in try await client.execute(uri: "/console", method: .get) }
        #expect(response.status == .ok)
        #expect(response.headers[.contentType] == "text/html; charset=utf-8")
        #expect(response.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
        let page = response.text
        #expect(page.contains(#"<input id="token" type="password""#))
        #expect(page.contains("sessionStorage"))
        #expect(page.contains(#"name="viewport""#))
        for external in ["src=", "href=", "url(", "@import", "//cdn"] {
            #expect(!page.contains(external), "nothing may be loaded from elsewhere (\(external))")
        }
        for route in ["\"/plugins\"", "/offsets\"", "/dead-letters", "\"resume\" : \"pause\"", "/rollback\"", "\"enable\" : \"disable\"", "dryRun: true"] {
            #expect(page.contains(route), "the page uses \(route)")
        }
    }
}

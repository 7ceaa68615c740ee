import Foundation
import Hummingbird
import HummingbirdTesting
@testable import PakaPipeline
@testable import PakaPluginHost
import Testing

/// `GET /metrics`, and JSON for the errors Hummingbird itself raises (404, 405).
@Suite struct MetricsAndErrorTests {
    @Test func metricsCountHTTPRequestsEventsAndPluginOutcomes() async throws {
        let database = try ScratchDatabase()  // the audit plugin stores its events in PostgreSQL
        let host = try await TestHost(plugins: #"[{"name": "audit", "library": "\#(TestPaths.builtPlugin("AuditLogger"))", "config": {"databaseURL": "\#(database.url)"}}]"#)
        let headers = try await host.bearer()
        try await host.test { client in
            _ = try await client.execute(uri: "/kafka/status", method: .get)
            _ = try await client.execute(uri: "/no/such/route", method: .get)
            _ = try await client.json("/kafka/test/audit", headers: headers, body: #"{"action": "a", "resource": "r"}"#)
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = response.text
            #expect(text.contains("# TYPE paka_http_requests_total counter"))
            #expect(text.contains(#"paka_http_requests_total{route="/kafka/status",method="GET",status="200"} 1"#), "\(text)")
            #expect(text.contains(#"paka_http_requests_total{route="unmatched",method="GET",status="404"} 1"#))
            #expect(text.contains(#"paka_http_requests_total{route="/kafka/test/audit",method="POST",status="200"} 1"#))
            #expect(text.contains(#"paka_events_published_total{topic="audit.event",mode="synchronous"} 1"#))
            #expect(text.contains(#"paka_plugin_events_handled_total{plugin="audit",version=""#))
            #expect(text.range(of: #"paka_plugin_events_handled_total\{plugin="audit",version="[^"]+"\} 1"#, options: .regularExpression) != nil)
            #expect(text.contains("# TYPE paka_plugin_events_dead_lettered_total counter"))
        }
    }

    @Test func unknownRouteIs404JSON() async throws {
        let host = try await TestHost()
        try await host.test { client in
            let response = try await client.execute(uri: "/nope", method: .get)
            #expect(response.status == .notFound)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(response.canonical == TestResponse.canonical(#"{"ok": false, "error": "no route for GET /nope; see GET /openapi.json"}"#))
        }
    }

    @Test func knownPathWithTheWrongMethodIs405JSONWithAllow() async throws {
        let host = try await TestHost()
        try await host.test { client in
            let response = try await client.execute(uri: "/kafka/status", method: .post)
            #expect(response.status == .methodNotAllowed)
            #expect(response.headers[.allow] == "GET")
            #expect(response.canonical == TestResponse.canonical(#"{"ok": false, "error": "method POST is not allowed on /kafka/status; allowed: GET"}"#))
            let upload = try await client.execute(uri: "/upload", method: .get)
            #expect(upload.status == .methodNotAllowed)
            #expect(upload.headers[.allow] == "POST")
        }
    }

    @Test func healthStaysPublicAndJSON() async throws {
        let host = try await TestHost()
        try await host.test { client in
            let response = try await client.execute(uri: "/health", method: .get)
            #expect(response.status == .ok)
            #expect(response.object?["status"] as? String == "degraded")
        }
    }
}

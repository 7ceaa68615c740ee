import Foundation
import Hummingbird
import HummingbirdTesting
@testable import PakaPipeline
@testable import PakaPluginHost
@testable import PakaServer
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

    /// The upload store cannot make its folder (a file named `uploads` is in the way): the
    /// route fails inside, with an error whose text names the path. The client gets a 500 that
    /// says only that, and the request id under which the log has the details.
    @Test func internalFailureIs500WithARequestIdAndNoInternalText() async throws {
        let host = try await TestHost()
        try FileManager.default.createDirectory(atPath: host.dataDirectory, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: "\(host.dataDirectory)/uploads", contents: Data("in the way".utf8)))
        let headers = try await host.uploadHeaders()
        try await host.test { client in
            let response = try await client.execute(uri: "/upload", method: .post, headers: headers,
                                                    body: UploadRouteTests.multipart(content: Array("hello".utf8)))
            #expect(response.status == .internalServerError)
            let requestID = try #require(response.headers[.requestID])
            #expect(!requestID.isEmpty)
            #expect(response.canonical == TestResponse.canonical(
                #"{"ok": false, "error": "internal error; the host's log has the details under request id \#(requestID)"}"#))
            #expect(!response.text.contains("uploads"), "\(response.text)")
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

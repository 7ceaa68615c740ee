import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import PakaServer

/// `POST /kafka/test/{notification,audit,report}`: Bearer, validation, and the seed's answers.
/// Kafka is not connected here, so events are processed synchronously by their plugins.
@Suite struct ProducerRouteTests {
    static let routes = ["/kafka/test/notification", "/kafka/test/audit", "/kafka/test/report"]
    static let validBodies = [
        "/kafka/test/notification": #"{"title": "Test Alert", "body": "This notification was sent via Kafka!"}"#,
        "/kafka/test/audit": #"{"action": "test_action", "resource": "document", "resourceId": 123, "details": {"note": "Testing Kafka audit"}}"#,
        "/kafka/test/report": #"{"reportType": "weekly"}"#,
    ]

    // MARK: Bearer

    @Test(arguments: routes) func missingTokenIs401WithWWWAuthenticate(route: String) async throws {
        let host = try await TestHost()
        try await host.test { client in
            let response = try await client.json(route, body: Self.validBodies[route]!)
            #expect(response.status == .unauthorized)
            #expect(response.headers[.wwwAuthenticate] == "Bearer")
            #expect(response.object?["ok"] as? Bool == false)
            #expect((response.object?["error"] as? String)?.contains("missing Authorization") == true)
        }
    }

    @Test(arguments: routes) func expiredTokenIs401InvalidToken(route: String) async throws {
        let host = try await TestHost()
        let expired = try await host.token(lifetime: -60)
        try await host.test { client in
            let response = try await client.json(route, headers: [.authorization: "Bearer \(expired)"], body: Self.validBodies[route]!)
            #expect(response.status == .unauthorized)
            #expect(response.headers[.wwwAuthenticate] == #"Bearer error="invalid_token""#)
            #expect(response.object?["error"] as? String == "token has expired")
        }
    }

    @Test(arguments: routes) func forgedSignatureIs401InvalidToken(route: String) async throws {
        let host = try await TestHost()
        let forged = try await TokenAuthority(secret: String(TestHost.secret.reversed())).issue(subject: "mallory", admin: true, lifetime: 3600)
        try await host.test { client in
            let response = try await client.json(route, headers: [.authorization: "Bearer \(forged)"], body: Self.validBodies[route]!)
            #expect(response.status == .unauthorized)
            #expect(response.headers[.wwwAuthenticate] == #"Bearer error="invalid_token""#)
            #expect(response.object?["error"] as? String == "token signature is invalid")
        }
    }

    @Test(arguments: ["Bearer not-a-jwt", "Basic YWxpY2U6c2VjcmV0", "Bearer"])
    func malformedAuthorizationIs401(header: String) async throws {
        let host = try await TestHost()
        try await host.test { client in
            let response = try await client.json("/kafka/test/audit", headers: [.authorization: header], body: Self.validBodies["/kafka/test/audit"]!)
            #expect(response.status == .unauthorized)
            #expect(response.headers[.wwwAuthenticate] == #"Bearer error="invalid_token""#)
        }
    }

    @Test(arguments: routes) func nonJSONContentTypeIs415(route: String) async throws {
        let host = try await TestHost()
        let headers = try await host.bearer()
        try await host.test { client in
            var withType = headers
            withType[.contentType] = "text/plain"
            let response = try await client.execute(uri: route, method: .post, headers: withType, body: .init(string: Self.validBodies[route]!))
            #expect(response.status == .unsupportedMediaType)
            #expect(response.object?["error"] as? String == "Content-Type must be application/json, got 'text/plain'")
        }
    }

    @Test(arguments: routes) func malformedJSONIs400(route: String) async throws {
        let host = try await TestHost()
        let headers = try await host.bearer()
        try await host.test { client in
            let response = try await client.json(route, headers: headers, body: #"{"title": "#)
            #expect(response.status == .badRequest)
            #expect(response.canonical == #"{"error":"request body is not valid JSON","ok":false}"#)
        }
    }

    // MARK: Validation, one case per field

    @Test(arguments: [
        ("/kafka/test/notification", #"{"body": "b"}"#, "field 'title' is required and must be a string"),
        ("/kafka/test/notification", #"{"title": 5, "body": "b"}"#, "field 'title' is required and must be a string"),
        ("/kafka/test/notification", #"{"title": "t"}"#, "field 'body' is required and must be a string"),
        ("/kafka/test/notification", #"{"title": "", "body": "b"}"#, "field 'title' must not be empty"),
        ("/kafka/test/audit", #"{"action": "a", "resource": ""}"#, "field 'resource' must not be empty"),
        ("/kafka/test/audit", #"{"action": "a", "resource": "r", "resourceId": ""}"#, "field 'resourceId' must not be empty"),
        ("/kafka/test/notification", #"["title"]"#, "request body must be a JSON object, got an array"),
        ("/kafka/test/audit", #"{"resource": "document"}"#, "field 'action' is required and must be a string"),
        ("/kafka/test/audit", #"{"action": "a"}"#, "field 'resource' is required and must be a string"),
        ("/kafka/test/audit", #"{"action": "a", "resource": "r", "resourceId": true}"#, "field 'resourceId' must be a string or an integer"),
        ("/kafka/test/audit", #"{"action": "a", "resource": "r", "resourceId": 1.5}"#, "field 'resourceId' must be a string or an integer"),
        ("/kafka/test/audit", #"{"action": "a", "resource": "r", "details": "x"}"#, "field 'details' must be an object"),
        ("/kafka/test/report", #"{}"#, "field 'reportType' is required and must be one of: daily, weekly, monthly"),
        ("/kafka/test/report", #"{"reportType": "yearly"}"#, "field 'reportType' is required and must be one of: daily, weekly, monthly"),
        ("/kafka/test/report", #"{"reportType": 7}"#, "field 'reportType' is required and must be one of: daily, weekly, monthly"),
    ])
    func invalidFieldIs400NamingIt(route: String, body: String, error: String) async throws {
        let host = try await TestHost()
        let headers = try await host.bearer()
        try await host.test { client in
            let response = try await client.json(route, headers: headers, body: body)
            #expect(response.status == .badRequest)
            #expect(response.canonical == TestResponse.canonical(#"{"ok": false, "error": "\#(error)"}"#))
        }
    }

    @Test(arguments: ["daily", "weekly", "monthly"]) func everyReportTypeIsAccepted(type: String) async throws {
        let host = try await TestHost()
        let headers = try await host.bearer()
        try await host.test { client in
            let response = try await client.json("/kafka/test/report", headers: headers, body: #"{"reportType": "\#(type)"}"#)
            #expect(response.status == .ok)
        }
    }
}

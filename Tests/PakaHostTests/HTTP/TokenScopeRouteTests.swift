import Foundation
import Hummingbird
import HummingbirdTesting
@testable import PakaPipeline
@testable import PakaPluginHost
@testable import PakaServer
import Testing

/// Token scopes (`publish`, `read`, `operate`) on every route the router registered: each token
/// kind against each route, with the scope the OpenAPI document says the route needs.
@Suite struct TokenScopeRouteTests {
    /// The routes a client application's publish-only token may call: the seed's producers and
    /// the upload, nothing else (written out here, not read from the document, so that a route
    /// documented as `publish` by mistake fails this test).
    static let publishRoutes: Set<String> = ["POST /kafka/test/notification", "POST /kafka/test/audit", "POST /kafka/test/report", "POST /upload"]

    /// Each token kind and the scopes it must be granted.
    static let tokenKinds: [(label: String, admin: Bool, scopes: Set<TokenScope>?, granted: Set<TokenScope>)] = [
        ("publish-only", false, [.publish], [.publish]),
        ("read-only", false, [.read], [.read]),
        ("operate-only", false, [.operate], [.operate]),
        ("publish read", false, [.publish, .read], [.publish, .read]),
        ("no scope claim (a token minted before scopes)", false, nil, [.publish, .read]),
        ("admin", true, nil, [.publish, .read, .operate]),
    ]

    /// The scope each registered route needs according to /openapi.json (nil: public).
    static func documentedScopes(_ routes: [RouteTable.Route]) -> [RouteTable.Route: TokenScope?] {
        var result: [RouteTable.Route: TokenScope?] = [:]
        for route in routes {
            let operation = OpenAPIDocument.json["paths"]?[route.path]?[route.method.lowercased()]
            let scope = operation?["security"]?.arrayValue?.first?["bearer"]?.arrayValue?.first?.stringValue
            result[route] = scope.flatMap(TokenScope.init(rawValue:))
        }
        return result
    }

    static func uri(_ route: RouteTable.Route) -> String {
        route.path.replacingOccurrences(of: "{name}", with: "scripted").replacingOccurrences(of: "{path}", with: "status")
            .replacingOccurrences(of: "{id}", with: "no-such-replay")
    }

    @Test func everyRouteGrantsExactlyItsDocumentedScopeToEveryTokenKind() async throws {
        let entry = #"{"name": "scripted", "library": "\#(try PluginCompiler.build(name: "scripted"))"}"#
        let host = try await TestHost(plugins: "[\(entry)]")
        _ = host.api.makeRouter()
        let routes = host.api.routeTable.routes
        let scopes = Self.documentedScopes(routes)
        #expect(routes.count > 25, "the route table is the one the server registers")
        #expect(Set(routes.filter { scopes[$0] == .some(.publish) }.map(\.description)) == Self.publishRoutes)
        #expect(routes.contains { scopes[$0] == .some(.operate) && $0.path.hasSuffix("/offsets") }, "moving offsets needs operate")
        for kind in Self.tokenKinds {
            let token = try await host.token(sub: "scope-test", admin: kind.admin, scopes: kind.scopes)
            try await host.test { client in
                for route in routes {
                    let needed = scopes[route] ?? nil
                    let headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
                    let response = try await client.execute(uri: Self.uri(route), method: HTTPRequest.Method(route.method)!, headers: headers,
                                                             body: ByteBuffer(string: "{}"))
                    let context = "\(kind.label) on \(route) (needs \(needed.map(\.rawValue) ?? "nothing"))"
                    if let needed, !kind.granted.contains(needed) {
                        #expect(response.status == .forbidden, "\(context): \(response.status) \(response.text)")
                        #expect(response.object?["ok"] as? Bool == false, "\(context)")
                        #expect((response.object?["error"] as? String)?.contains("needs the '\(needed)' scope") == true, "\(context): \(response.text)")
                        #expect(response.headers[.wwwAuthenticate]?.contains("insufficient_scope") == true, "\(context)")
                    } else {
                        #expect(response.status != .forbidden && response.status != .unauthorized, "\(context): \(response.status) \(response.text)")
                    }
                }
            }
        }
    }

    @Test func publishOnlyTokenPublishesAndUploads() async throws {
        let host = try await TestHost()
        let headers = try await host.bearer(scopes: [.publish])
        try await host.test { client in
            let audit = try await client.json("/kafka/test/audit", headers: headers, body: #"{"action": "a", "resource": "doc"}"#)
            #expect(audit.status == .ok, "\(audit.text)")
            var upload = headers
            upload[.contentType] = "multipart/form-data; boundary=\(UploadRouteTests.boundary)"
            let stored = try await client.execute(uri: "/upload", method: .post, headers: upload, body: UploadRouteTests.multipart(content: Array("hi".utf8)))
            #expect(stored.status == .accepted, "\(stored.text)")
            let letters = try await client.execute(uri: "/plugins", method: .get, headers: headers)
            #expect(letters.status == .forbidden)
            #expect(letters.object?["error"] as? String
                    == #"this route needs the 'read' scope; this token has scope 'publish' (mint one with: paka token --sub NAME --scope "read", or --admin for all)"#)
        }
    }

    @Test func aWrongMethodOnAnOperatorNameIs405WithAllowBeforeTheScopeCheck() async throws {
        let host = try await TestHost()
        let headers = try await host.bearer(scopes: [.publish])
        try await host.test { client in
            let response = try await client.execute(uri: "/plugins/scripted/pause", method: .put, headers: headers)
            #expect(response.status == .methodNotAllowed, "\(response.text)")
            #expect(response.headers[.allow] == "POST")
            let below = try await client.execute(uri: "/plugins/scripted/offsets/x", method: .delete, headers: headers)
            #expect(below.status == .methodNotAllowed, "\(below.text)")
        }
    }

    @Test func scopeClaimAdminAndLegacyTokensGrantWhatTheySay() {
        let expires = Date().addingTimeInterval(60)
        #expect(TokenClaims(subject: "a", expires: expires, admin: false).scopes == [.publish, .read])
        #expect(TokenClaims(subject: "a", expires: expires, admin: true).scopes == Set(TokenScope.allCases))
        #expect(TokenClaims(subject: "a", expires: expires, admin: true, scopes: [.publish]).scopes == Set(TokenScope.allCases))
        #expect(TokenClaims(subject: "a", expires: expires, admin: false, scopes: [.read, .operate]).scope == "read operate")
        var claims = TokenClaims(subject: "a", expires: expires, admin: false)
        claims.scope = "publish  launch-missiles"
        #expect(claims.scopes == [.publish], "unknown words grant nothing")
        claims.scope = ""
        #expect(claims.scopes == [], "an empty scope claim grants nothing (it is not the legacy token)")
        guard case .failure(let unknown) = TokenScope.parse("publish raed") else { Issue.record("a typo must be refused"); return }
        #expect(unknown.description.hasPrefix("unknown scope 'raed'"))
    }
}

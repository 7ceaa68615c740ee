import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import PakaServer

/// `GET /openapi.json`: a valid OpenAPI document that lists exactly the routes the server has.
@Suite struct OpenAPIDocumentTests {
    @Test func documentIsServedPubliclyAndPassesOpenAPISpecValidator() async throws {
        let host = try await TestHost()
        let text = try await host.test { client in
            let response = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(response.status == .ok)
            return response.text
        }
        let file = host.dir.write("openapi.json", text)
        let script = "import json, sys; from openapi_spec_validator import validate; validate(json.load(open(sys.argv[1]))); print('valid')"
        let result = try run("/usr/bin/env", ["python3", "-c", script, file])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("valid"))
    }

    @Test func documentedRoutesAreExactlyTheRegisteredRoutes() async throws {
        let host = try await TestHost()
        _ = host.api.makeRouter()
        let registered = Set(host.api.routeTable.routes.map(\.description))
        guard case .object(let paths)? = OpenAPIDocument.json["paths"] else { Issue.record("no paths"); return }
        var documented = Set<String>()
        for (path, item) in paths {
            for method in item.objectValue?.keys ?? [:].keys { documented.insert("\(method.uppercased()) \(path)") }
        }
        #expect(registered.subtracting(documented).sorted() == [], "registered but not documented")
        #expect(documented.subtracting(registered).sorted() == [], "documented but not registered")
        #expect(registered.contains("POST /kafka/test/audit"))
        #expect(registered.contains("DELETE /plugins/{name}/{path}"))
    }
}

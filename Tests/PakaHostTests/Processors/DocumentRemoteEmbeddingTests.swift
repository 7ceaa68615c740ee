import Foundation
import Hummingbird
import HummingbirdTesting
import PakaPipeline
import PakaPluginHost
import Synchronization
import Testing

/// The optional OpenAI-compatible `/v1/embeddings` path, against a local server playing the provider.
@Suite struct DocumentRemoteEmbeddingTests {
    /// Records each request; answers with the scripted statuses first, then with vectors.
    final class FakeProvider: Sendable {
        struct Request: Sendable { let path: String; let authorization: String?; let body: [String: any Sendable] }
        private let state: Mutex<(requests: [Request], script: [Int])>

        init(script: [Int] = []) { state = Mutex(([], script)) }

        var requests: [Request] { state.withLock { $0.requests } }

        func router() -> Router<BasicRequestContext> {
            let router = Router()
            router.post("/v1/embeddings") { request, _ -> Response in
                let body = try await request.body.collect(upTo: 1 << 20)
                let json = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]) ?? [:]
                let model = json["model"] as? String ?? "", inputs = json["input"] as? [String] ?? []
                let status = self.state.withLock { state -> Int in
                    state.requests.append(Request(path: request.uri.path, authorization: request.headers[.authorization],
                                                  body: ["model": model, "input": inputs]))
                    return state.script.isEmpty ? 200 : state.script.removeFirst()
                }
                guard status == 200 else {
                    return Response(status: .init(code: status), headers: [.contentType: "application/json"],
                                    body: .init(byteBuffer: ByteBuffer(string: #"{"error":{"message":"scripted \#(status)"}}"#)))
                }
                // Not unit length on purpose: the plugin normalises what it stores.
                let data = inputs.enumerated().map { i, text in #"{"index":\#(i),"embedding":[\#(Float(text.count)),3,\#(text.contains("zebra") ? 9 : 0)]}"# }
                return Response(status: .ok, headers: [.contentType: "application/json"],
                                body: .init(byteBuffer: ByteBuffer(string: #"{"object":"list","data":[\#(data.joined(separator: ","))]}"#)))
            }
            return router
        }

        /// Runs `body` with the provider's base URL while it serves.
        func serve<T: Sendable>(_ body: @escaping @Sendable (String) throws -> T) async throws -> T {
            try await Application(router: router(), logger: .test).test(.live) { client in
                let base = "http://localhost:\(try #require(client.port))"
                return try await onOwnThread { try body(base) }
            }
        }
    }

    static func fixture(_ base: String, model: String) throws -> DocumentFixture {
        try DocumentFixture(config: ["embeddingsURL": base, "embeddingsModel": model, "embeddingsAPIKey": "sk-test-secret"])
    }

    @Test func chunksAreSentWithTheModelAndStoredAsTheProviderAnswered() async throws {
        let provider = FakeProvider()
        let model = "test-model-\(UUID().uuidString.prefix(8))"
        let (fixture, id) = try await provider.serve { base in
            let fixture = try Self.fixture(base, model: model)
            return (fixture, try fixture.ingest("zoo.txt", "A zebra has stripes."))
        }
        let request = try #require(provider.requests.first)
        #expect(provider.requests.count == 1)
        #expect(request.path == "/v1/embeddings")
        #expect(request.authorization == "Bearer sk-test-secret")
        #expect(request.body["model"] as? String == model)
        #expect(request.body["input"] as? [String] == ["A zebra has stripes."])

        let vector = try #require(try fixture.vectors(of: id).first)
        #expect(vector.count == 3)
        #expect(abs(dot(vector, vector) - 1) < 1e-5)
        #expect(try fixture.row(id)["embedding_model"] == model)
        let embedded = try #require(fixture.published("document.embedded").first)
        #expect(embedded["model"] as? String == model)
        #expect(embedded["dimensions"] as? Int == 3)
        #expect(!fixture.services.logs.joined().contains("sk-test-secret"))
    }

    @Test func searchEmbedsTheQueryThroughTheSameEndpoint() async throws {
        let provider = FakeProvider()
        let model = "test-model-\(UUID().uuidString.prefix(8))"
        let (results, zebra) = try await provider.serve { base in
            let fixture = try Self.fixture(base, model: model)
            let zebra = try fixture.ingest("zebra.txt", "A zebra has stripes.")
            try fixture.ingest("horse.txt", "Horses gallop across the wide open plains at dawn.")
            let answer = fixture.get("/search", query: "q=zebra")
            return ((answer.json["results"] as? [[String: Any]] ?? []).compactMap { $0["documentId"] as? String }, zebra)
        }
        #expect(results.first == zebra)
        #expect(results.count == 2)
        #expect(provider.requests.last?.body["input"] as? [String] == ["zebra"])
    }

    @Test func serverErrorIsRetryAndTheRetrySucceedsWithoutRepublishingParsed() async throws {
        let provider = FakeProvider(script: [500, 503])
        let (fixture, outcomes, id) = try await provider.serve { base in
            let fixture = try Self.fixture(base, model: "retry-model")
            let id = UUID().uuidString.lowercased()
            let event = DocumentFixture.event(documentId: id, fileName: "r.txt", contentType: "text/plain", path: fixture.store("\(id).txt", "Retry me."))
            return (fixture, (1...3).map { _ in fixture.handle(event) }, id)
        }
        guard case .retry(let reason) = outcomes[0] else { Issue.record("expected RETRY, got \(String(describing: outcomes[0]))"); return }
        #expect(reason.contains("answered 500: scripted 500"))
        guard case .retry = outcomes[1] else { Issue.record("expected RETRY on 503"); return }
        #expect(outcomes[2] == .ok)
        #expect(try fixture.row(id)["status"] == "embedded")
        #expect(fixture.services.published.map(\.topic) == ["document.parsed", "document.embedded"])
    }

    @Test func clientErrorFailsWithTheProvidersMessage() async throws {
        let provider = FakeProvider(script: [401])
        let (fixture, outcome, id) = try await provider.serve { base in
            let fixture = try Self.fixture(base, model: "refused-model")
            let id = UUID().uuidString.lowercased()
            let event = DocumentFixture.event(documentId: id, fileName: "r.txt", contentType: "text/plain", path: fixture.store("\(id).txt", "Refuse me."))
            return (fixture, fixture.handle(event), id)
        }
        guard case .fail(let reason) = outcome else { Issue.record("expected FAIL, got \(String(describing: outcome))"); return }
        #expect(reason.contains("refused the request with 401: scripted 401; check EMBEDDINGS_MODEL and EMBEDDINGS_API_KEY"))
        #expect(!reason.contains("sk-test-secret"))
        #expect(try fixture.row(id)["status"] == "failed")
    }

    @Test func unreachableEndpointIsRetry() throws {
        let fixture = try Self.fixture("http://127.0.0.1:1", model: "nowhere")
        let id = UUID().uuidString.lowercased()
        let outcome = fixture.handle(DocumentFixture.event(documentId: id, fileName: "r.txt", contentType: "text/plain", path: fixture.store("\(id).txt", "Nobody home.")))
        guard case .retry(let reason) = outcome else { Issue.record("expected RETRY, got \(String(describing: outcome))"); return }
        #expect(reason.contains("unreachable"))
        #expect(try fixture.row(id)["status"] == "parsed")
    }
}

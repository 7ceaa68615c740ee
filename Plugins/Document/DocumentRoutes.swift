import Foundation
import PakaPluginSDK

/// `GET /plugins/document/documents/{id}` and `GET /plugins/document/search?q=&limit=`.
extension DocumentProcessor {
    public func serve(_ request: HTTPRequest) -> HTTPResponse {
        guard request.method == "GET" else { return Self.error(405, "only GET is served here") }
        do {
            if request.path == "/search" { return try search(request.queryItems) }
            if request.path.hasPrefix("/documents/") { return try document(String(request.path.dropFirst("/documents/".count))) }
            return Self.error(404, "no route \(request.path): try /documents/{id} or /search?q=")
        } catch PluginError.retry(let reason) {
            return Self.error(503, reason)
        } catch {
            return Self.error(500, "\(error)")
        }
    }

    private func document(_ id: String) throws -> HTTPResponse {
        guard let uuid = UUID(uuidString: id), let summary = try store.summary(of: uuid.uuidString.lowercased()) else {
            return Self.error(404, "no document '\(id.prefix(64))'")
        }
        return Self.json(summary)
    }

    private struct SearchAnswer: Encodable {
        var ok = true
        let query: String
        let model: String
        let results: [DocumentStore.Hit]
    }

    private func search(_ items: [String: String]) throws -> HTTPResponse {
        guard let query = items["q"]?.trimmingCharacters(in: .whitespacesAndNewlines), !query.isEmpty else {
            return Self.error(400, "missing query: add ?q=words to search for")
        }
        var limit = 10
        if let text = items["limit"] {
            guard let value = Int(text), (1...100).contains(value) else { return Self.error(400, "limit must be an integer from 1 to 100, got '\(text.prefix(20))'") }
            limit = value
        }
        let vector = try embedder.embed([query])[0]
        return Self.json(SearchAnswer(query: query, model: embedder.model, results: try store.search(vector, model: embedder.model, limit: limit)))
    }

    static func json(_ value: some Encodable, status: Int = 200) -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Our own response structs: encoding fails only for a non-finite Double (a score), and
        // the client then still gets JSON that says it failed.
        return HTTPResponse(status: status, body: (try? encoder.encode(value)).map { [UInt8]($0) } ?? Array(#"{"ok":false}"#.utf8))
    }

    static func error(_ status: Int, _ message: String) -> HTTPResponse {
        struct Failure: Encodable { var ok = false; let error: String }
        return json(Failure(error: message), status: status)
    }
}

import Foundation
import PakaPipeline
import PakaPluginHost
import PakaPostgres
import Testing

/// The document processor's `.so` loaded into a registry with recording host services, an
/// upload folder of its own and, unless given one, a database of its own on the PostgreSQL of
/// `scripts/test` (search ranking is asserted; other tests' documents would compete).
final class DocumentFixture: @unchecked Sendable {
    let dir = TemporaryDirectory()
    let services = RecordingHostServices()
    let registry: PluginRegistry
    let plugin: LoadedPlugin
    let databaseURL: String
    private let scratch: ScratchDatabase?

    static var sharedDatabaseURL: String {
        get throws {
            try #require(ProcessInfo.processInfo.environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 },
                         "DATABASE_URL is not set: run scripts/test, which starts PostgreSQL (or `source /tmp/pgenv`)")
        }
    }

    /// `config`: extra plugin settings (embeddingsURL, chunkSize…).
    init(databaseURL: String? = nil, config: [String: String] = [:]) throws {
        scratch = databaseURL == nil ? try ScratchDatabase() : nil
        self.databaseURL = databaseURL ?? scratch!.url
        var settings: [String: JSONValue] = ["dataDir": .string(dir.path), "databaseURL": .string(self.databaseURL)]
        for (key, value) in config { settings[key] = .string(value) }
        registry = PluginRegistry(services: services, logger: .test)
        let refusals = registry.apply(PakaConfiguration(pluginDir: dir.path, plugins: [
            PluginEntry(name: "document", library: TestPaths.builtPlugin("DocumentProcessor"), config: .object(settings)),
        ]))
        try #require(refusals.isEmpty, "document plugin refused: \(refusals.map(\.message))")
        plugin = try #require(registry.active(named: "document"))
        try FileManager.default.createDirectory(atPath: uploads, withIntermediateDirectories: true)
    }

    deinit { registry.shutdown() }

    var uploads: String { dir.file("uploads") }

    /// Writes an upload as `POST /upload` would store it and returns its path.
    func store(_ name: String, _ content: String) -> String { store(name, Array(content.utf8)) }

    func store(_ name: String, _ bytes: [UInt8]) -> String {
        let path = "\(uploads)/\(name)"
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    static func event(documentId: String = UUID().uuidString.lowercased(), eventId: String = UUID().uuidString.lowercased(),
                      fileName: String, contentType: String, path: String, attempt: UInt32 = 1) -> PluginEvent {
        let data: [String: Any] = ["documentId": documentId, "fileName": fileName, "contentType": contentType,
                                   "size": 1, "sha256": "00", "path": path]
        return rawEvent(id: eventId, data: try! JSONSerialization.data(withJSONObject: data), subject: documentId, attempt: attempt)
    }

    static func rawEvent(id: String = UUID().uuidString.lowercased(), data: Data, subject: String = "s", attempt: UInt32 = 1) -> PluginEvent {
        let envelope = CloudEvent(id: id, source: "test", type: "document.uploaded", subject: subject, data: [UInt8](data))
        return PluginEvent(id: id, topic: "document.uploaded", key: Array(subject.utf8), payload: envelope.jsonBytes, attempt: attempt)
    }

    func handle(_ event: PluginEvent) -> EventOutcome? { plugin.handle([event])?.first }

    /// Stores `content` as `fileName`, processes its upload event, and returns the document id.
    @discardableResult
    func ingest(_ fileName: String, _ content: String, contentType: String = "text/plain",
                expect outcome: EventOutcome = .ok) throws -> String {
        let id = UUID().uuidString.lowercased()
        let path = store("\(id)-\(fileName)", content)
        let result = handle(Self.event(documentId: id, fileName: fileName, contentType: contentType, path: path))
        #expect(result == outcome, "\(fileName)")
        return id
    }

    func database() throws -> PostgresConnection { try PostgresConnection(url: databaseURL) }

    func chunks(of id: String) throws -> [String] {
        try database().execute("SELECT content FROM document_chunks WHERE document_id = $1 ORDER BY chunk_index", [id]).rows.map { $0[0] ?? "" }
    }

    func vectors(of id: String) throws -> [[Float]] {
        try database().execute("SELECT embedding FROM document_chunks WHERE document_id = $1 ORDER BY chunk_index", [id]).rows.map {
            ($0[0] ?? "{}").dropFirst().dropLast().split(separator: ",").compactMap { Float($0) }
        }
    }

    /// The extracted text as stored: the chunks without their overlap would differ, so tests of
    /// extraction keep documents to one chunk.
    func text(of id: String) throws -> String { try chunks(of: id).joined(separator: " ") }

    func row(_ id: String) throws -> [String: String] {
        let result = try database().execute("SELECT status, chunk_count, error, embedding_model, dimensions, event_id FROM documents WHERE id = $1", [id])
        guard !result.rows.isEmpty else { return [:] }
        var row: [String: String] = [:]
        for column in result.columns { row[column] = result.value(0, column) }
        return row
    }

    func get(_ path: String, query: String = "") -> (status: Int, json: [String: Any]) {
        let response = plugin.serveHTTP(PluginHTTPRequest(method: "GET", path: path, query: query))
        let json = response.flatMap { try? JSONSerialization.jsonObject(with: Data($0.body)) as? [String: Any] } ?? [:]
        return (response?.status ?? 0, json)
    }

    func published(_ topic: String) -> [[String: Any]] {
        services.published.filter { $0.topic == topic }.compactMap { try? JSONSerialization.jsonObject(with: Data($0.data.utf8)) as? [String: Any] }
    }
}

func dot(_ a: [Float], _ b: [Float]) -> Float { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }

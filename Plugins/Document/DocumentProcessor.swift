import Foundation
import PakaPluginSDK

/// Parses, chunks and embeds uploaded documents into PostgreSQL, and searches them.
///
/// `document.uploaded` → text → chunks (status parsed, `document.parsed`) → vectors (status
/// embedded, `document.embedded`). Each step is recorded before the next, so a redelivery after
/// an outage resumes where it stopped and never stores or publishes a step twice.
///
/// Needs `databaseURL`: without it `create` fails with the fix, the host keeps running and lists
/// the refusal in `GET /plugins`. PostgreSQL being down is different: the plugin starts and answers
/// RETRY until it is back.
public final class DocumentProcessor: PakaPlugin, PakaHTTPServing, PakaHealthReporting {
    public static let name = "document"
    public static let version = "1.0.0"
    public static let topics = ["document.uploaded"]
    public static let consumerGroup: String? = "paka-document-processor"

    private let host: PluginHost
    let store: DocumentStore
    let embedder: any Embedder
    private let extractor: TextExtractor
    private let chunker: TextChunker
    /// Only files below this folder are read: an event cannot make the processor index (and
    /// then serve through search) an arbitrary file of the host.
    private let uploadsFolder: String

    public init(host: PluginHost, config: PluginConfig) throws {
        guard let databaseURL = config["databaseURL"] else {
            throw PluginError.fail("document needs DATABASE_URL (config.databaseURL in plugins.json) to store documents, chunks and vectors; set it, or disable the plugin")
        }
        self.host = host
        store = DocumentStore(url: databaseURL)
        uploadsFolder = URL(fileURLWithPath: config["dataDir"] ?? "data").appendingPathComponent("uploads").standardizedFileURL.resolvingSymlinksInPath().path
        var extractor = TextExtractor()
        if let path = config["pdftotext"] { extractor.pdftotext = path }
        if let seconds = config["pdfTimeoutSeconds"].flatMap(Double.init), seconds > 0 { extractor.timeoutSeconds = seconds }
        if let bytes = config["pdfMaxTextBytes"].flatMap(Int.init), bytes > 0 { extractor.maximumOutputBytes = bytes }
        self.extractor = extractor
        chunker = TextChunker(size: config["chunkSize"].flatMap(Int.init) ?? 800, overlap: config["chunkOverlap"].flatMap(Int.init) ?? 100)
        if let url = config["embeddingsURL"] {
            embedder = OpenAIEmbedder(url: url, model: config["embeddingsModel"] ?? "text-embedding-3-small", apiKey: config["embeddingsAPIKey"])
        } else {
            embedder = FeatureHashingEmbedder()
        }
        host.log(.info, "embedding with \(embedder.model); reading uploads from \(uploadsFolder)")
    }

    public func handle(_ event: Event) throws {
        let upload = try UploadedDocument(event: event)
        guard let status = try store.register(upload, eventId: event.id) else {
            host.log(.warning, "event \(event.id) was already recorded for another document; \(upload.documentId) ignored")
            return
        }
        switch status {
        case "embedded":
            host.log(.debug, "document \(upload.documentId) is already embedded (event \(event.id) redelivered)")
            return
        case "uploaded", "failed":
            try parse(upload)
        default:
            break  // "parsed": resume with the stored chunks
        }
        try embed(upload.documentId)
    }

    private func parse(_ upload: UploadedDocument) throws {
        let text: String
        do {
            guard let format = DocumentFormat(fileName: upload.fileName, contentType: upload.contentType) else {
                throw ExtractionError("unsupported document type '\(upload.contentType)' for '\(upload.fileName)': supported are \(DocumentFormat.supported)")
            }
            try checkLocation(upload.path)
            text = try extractor.text(of: upload.path, format: format)
        } catch let error as ExtractionError {
            try fail(upload.documentId, error.description)
        }
        let chunks = chunker.chunks(text)
        if chunks.isEmpty { try fail(upload.documentId, "'\(upload.fileName)' contains no text to index") }
        let characters = text.count
        let moved = try store.storeParsed(upload.documentId, chunks: chunks, characters: characters) {
            try host.publish(topic: "document.parsed", key: upload.documentId,
                             data: Parsed(documentId: upload.documentId, chunkCount: chunks.count, characters: characters))
        }
        if moved { host.log(.info, "document \(upload.documentId) parsed: \(characters) characters, \(chunks.count) chunks") }
    }

    private func embed(_ id: String) throws {
        let chunks = try store.chunks(of: id)
        let vectors: [[Float]]
        do {
            vectors = try embedder.embed(chunks)
        } catch PluginError.fail(let reason) {
            try fail(id, reason)
        }
        let dimensions = vectors.first?.count ?? 0
        let moved = try store.storeEmbedded(id, vectors: vectors, model: embedder.model) {
            try host.publish(topic: "document.embedded", key: id,
                             data: Embedded(documentId: id, chunkCount: chunks.count, dimensions: dimensions, model: embedder.model))
        }
        if moved { host.log(.info, "document \(id) embedded: \(chunks.count) chunks × \(dimensions) dimensions (\(embedder.model))") }
    }

    /// Records the reason on the document, then dead-letters the event with it.
    private func fail(_ id: String, _ reason: String) throws -> Never {
        try store.markFailed(id, reason: reason)
        throw PluginError.fail("document \(id): \(reason)")
    }

    private func checkLocation(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ExtractionError("file \(path) does not exist: was the upload folder (PAKA_DATA_DIR) cleaned or moved?")
        }
        let resolved = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        guard resolved.hasPrefix(uploadsFolder + "/") else {
            throw ExtractionError("file \(path) is outside the upload folder \(uploadsFolder): only files stored by POST /upload are indexed (config dataDir = PAKA_DATA_DIR)")
        }
    }

    private struct Parsed: Encodable { let documentId: String; let chunkCount: Int; let characters: Int }
    private struct Embedded: Encodable { let documentId: String; let chunkCount: Int; let dimensions: Int; let model: String }

    public func healthProblem() -> String? { store.healthProblem() }
}

@_cdecl("paka_plugin_entry")
public func pakaPluginEntry() -> UnsafeRawPointer { PluginExport.entry(for: DocumentProcessor.self) }

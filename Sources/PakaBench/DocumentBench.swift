import Foundation
import Logging
import PakaPipeline
import PakaPluginHost

/// Document chunks embedded (local feature-hashing embedder) and stored in PostgreSQL per
/// second, through the processor's `.so` loaded by the host's registry: extraction, chunking,
/// embedding, two transactions and two publishes per document, as in production.
enum DocumentBench {
    static func run(plugin: String, databaseURL: String, documents: Int, logger: Logger) throws -> String {
        let folder = NSTemporaryDirectory() + "paka-bench-documents-\(getpid())"
        let uploads = folder + "/uploads"
        try FileManager.default.createDirectory(atPath: uploads, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }

        let services = AcceptingHostServices(folder: folder)
        let registry = PluginRegistry(services: services, options: .init(allowInsecurePermissions: true), logger: logger)
        defer { registry.shutdown() }
        let refusals = registry.apply(PakaConfiguration(pluginDir: "/", plugins: [PluginEntry(
            name: "document", library: URL(fileURLWithPath: plugin).path, config: .object(["dataDir": .string(folder), "databaseURL": .string(databaseURL)]))]))
        guard refusals.isEmpty, let document = registry.active(named: "document") else {
            throw BenchError(description: "document plugin refused: \(refusals.map(\.message))")
        }

        // ~8 KB of prose per document: about a dozen 800-character chunks each.
        let sentences = (0..<160).map { "Sentence \($0) of the benchmark document discusses topic \($0 % 13) in some detail." }
        let events = (0..<documents).map { n -> PluginEvent in
            let id = UUID().uuidString.lowercased(), path = "\(uploads)/\(id).txt"
            _ = FileManager.default.createFile(atPath: path, contents: Data("Document \(n). \(sentences.joined(separator: " "))".utf8))
            let data = try! JSONSerialization.data(withJSONObject: [
                "documentId": id, "fileName": "bench-\(n).txt", "contentType": "text/plain", "size": 0, "sha256": "", "path": path])
            let envelope = CloudEvent(source: "paka/bench", type: "document.uploaded", subject: id, data: [UInt8](data))
            return PluginEvent(id: envelope.id, topic: "document.uploaded", key: Array(id.utf8), payload: envelope.jsonBytes)
        }
        // Warm up: connection, migrations, first page faults.
        _ = document.handle([events[0]])
        let start = Date()
        for event in events.dropFirst() {
            guard document.handle([event]) == [.ok] else { throw BenchError(description: "document \(event.id) was not processed") }
        }
        let seconds = Date().timeIntervalSince(start)
        let counted = try countChunks(databaseURL: databaseURL, ids: events.dropFirst().map { String(decoding: $0.key, as: UTF8.self) })
        return """
            | document path (\(documents - 1) documents, \(counted) chunks, local embedder) | chunks/s | documents/s |
            |---|---|---|
            | .so handle: extract → chunk → embed (384 dims) → PostgreSQL real[] | \(Int(Double(counted) / seconds)) | \(Int(Double(documents - 1) / seconds)) |
            """
    }

    /// Counted in the database, so the figure is what was stored, not what was attempted.
    private static func countChunks(databaseURL: String, ids: [String]) throws -> Int {
        let list = "{" + ids.joined(separator: ",") + "}"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", databaseURL, "-qtAc", "SELECT count(*) FROM document_chunks WHERE document_id = ANY('\(list)'::uuid[]) AND embedding IS NOT NULL"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard let count = Int(String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw BenchError(description: "psql could not count the stored chunks")
        }
        return count
    }

    struct BenchError: Error, CustomStringConvertible { let description: String }
}

/// Accepts every publish (Kafka is not what is measured here) and drops the plugin's logs.
private final class AcceptingHostServices: PluginHostServices {
    let folder: String
    init(folder: String) { self.folder = folder }
    func publish(from plugin: String, topic: String, key: String, data: [UInt8]) -> Bool { true }
    func log(from plugin: String, level: Logger.Level, message: String) {}
    func dataDirectory(for plugin: String) -> String { folder }
}

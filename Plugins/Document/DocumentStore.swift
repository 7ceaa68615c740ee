import Foundation
import PakaPluginSDK
import PakaPostgres

/// The documents and their chunks in PostgreSQL. Every state change is conditional on the state
/// before it, so redeliveries and concurrent instances cannot insert twice or publish twice: a
/// caller publishes only when its own update moved the document.
final class DocumentStore {
    private let url: String
    private var connection: PostgresConnection?
    /// Whether the database has pgvector (`CREATE EXTENSION vector`): searches then run there.
    var hasPGVector = false

    init(url: String) { self.url = url }

    /// The connection, made and migrated on first use so the plugin starts while PostgreSQL is
    /// still coming up; an outage becomes RETRY.
    func database() throws -> PostgresConnection {
        if let connection { return connection }
        let db = try Self.retrying { try PostgresConnection(url: url) }
        try Self.retrying {
            try Migrations.apply(DocumentSchema.migrations, component: "document", on: db)
            hasPGVector = try db.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'").rows.count == 1
        }
        connection = db
        return db
    }

    /// Runs `body`: values the database refuses are the event's fault (FAIL); anything else is
    /// an outage or the operator's to fix (RETRY, never dead-lettered).
    static func retrying<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PostgresError where error.isEventProblem {
            throw PluginError.fail("PostgreSQL refused a statement: \(error)")
        } catch let error as PostgresError {
            throw PluginError.retry("PostgreSQL unavailable: \(error)")
        }
    }

    /// Records the upload (once) and returns the document's status, or nil when this event id
    /// already belongs to another document.
    func register(_ upload: UploadedDocument, eventId: String) throws -> String? {
        let db = try database()
        return try Self.retrying {
            try db.execute("""
                INSERT INTO documents (id, event_id, file_name, content_type, size, sha256, path, status)
                VALUES ($1, $2, $3, $4, $5, $6, $7, 'uploaded') ON CONFLICT DO NOTHING
                """, [upload.documentId, UUID(uuidString: eventId) != nil ? eventId : nil, upload.fileName,
                      upload.contentType, upload.size.map(String.init), upload.sha256, upload.path])
            return try db.execute("SELECT status FROM documents WHERE id = $1", [upload.documentId]).rows.first?[0]
        }
    }

    /// Replaces the chunks and moves uploaded/failed → parsed; `publish` runs inside the
    /// transaction, only when this call made the move. Returns false when another call did.
    func storeParsed(_ id: String, chunks: [String], characters: Int, publish: () throws -> Void) throws -> Bool {
        let db = try database()
        return try Self.retrying {
            try db.transaction {
                let moved = try db.execute("""
                    UPDATE documents SET status = 'parsed', chunk_count = $2, characters = $3, error = NULL, updated_at = now()
                    WHERE id = $1 AND status IN ('uploaded', 'failed')
                    """, [id, String(chunks.count), String(characters)]).affectedRows == 1
                guard moved else { return false }
                try db.execute("DELETE FROM document_chunks WHERE document_id = $1", [id])
                try db.execute("""
                    INSERT INTO document_chunks (document_id, chunk_index, content)
                    SELECT $1, t.i - 1, t.c FROM unnest($2::text[]) WITH ORDINALITY AS t(c, i)
                    """, [id, PostgresArray.text(chunks)])
                try publish()
                return true
            }
        }
    }

    func chunks(of id: String) throws -> [String] {
        let db = try database()
        return try Self.retrying {
            try db.execute("SELECT content FROM document_chunks WHERE document_id = $1 ORDER BY chunk_index", [id]).rows.map { $0[0] ?? "" }
        }
    }

    /// Stores one vector per chunk and moves parsed → embedded (publishing inside, as above).
    func storeEmbedded(_ id: String, vectors: [[Float]], model: String, publish: () throws -> Void) throws -> Bool {
        let db = try database()
        return try Self.retrying {
            try db.transaction {
                let moved = try db.execute("""
                    UPDATE documents SET status = 'embedded', embedding_model = $2, dimensions = $3, updated_at = now()
                    WHERE id = $1 AND status = 'parsed'
                    """, [id, model, String(vectors.first?.count ?? 0)]).affectedRows == 1
                guard moved else { return false }
                // Many rows per statement: one round trip per 200 chunks instead of one per chunk.
                for start in stride(from: 0, to: vectors.count, by: 200) {
                    let batch = start..<min(start + 200, vectors.count)
                    let values = batch.enumerated().map { n, _ in "($\(2 * n + 2)::int, $\(2 * n + 3)::real[])" }.joined(separator: ",")
                    let parameters = batch.flatMap { [String($0), PostgresArray.reals(vectors[$0])] }
                    try db.execute("""
                        UPDATE document_chunks AS c SET embedding = v.e FROM (VALUES \(values)) AS v(i, e)
                        WHERE c.document_id = $1 AND c.chunk_index = v.i
                        """, [id] + parameters)
                }
                try publish()
                return true
            }
        }
    }

    /// Records why the document could not be indexed (an embedded document stays embedded).
    func markFailed(_ id: String, reason: String) throws {
        let db = try database()
        _ = try Self.retrying {
            try db.execute("UPDATE documents SET status = 'failed', error = $2, updated_at = now() WHERE id = $1 AND status <> 'embedded'",
                           [id, String(reason.prefix(2000))])
        }
    }
}

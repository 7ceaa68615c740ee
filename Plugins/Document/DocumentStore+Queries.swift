import PakaPluginSDK
import PakaPostgres

/// What the HTTP routes read.
extension DocumentStore {
    struct Summary: Encodable {
        var ok = true
        let id: String
        let fileName: String?
        let status: String
        let chunkCount: Int
        let error: String?
    }

    struct Hit: Encodable {
        let documentId: String
        let fileName: String?
        let chunkIndex: Int
        let score: Double
        let snippet: String
    }

    func summary(of id: String) throws -> Summary? {
        let db = try database()
        let result = try Self.retrying {
            try db.execute("SELECT id, file_name, status, chunk_count, error FROM documents WHERE id = $1", [id])
        }
        guard !result.rows.isEmpty else { return nil }
        return Summary(id: result.value(0, "id") ?? id, fileName: result.value(0, "file_name"), status: result.value(0, "status") ?? "",
                       chunkCount: Int(result.value(0, "chunk_count") ?? "0") ?? 0, error: result.value(0, "error"))
    }

    /// The `limit` chunks most similar to `query` (cosine: stored vectors are unit length, so a
    /// dot product), among documents embedded by `model`. The database does the arithmetic, so
    /// only the winners cross the wire; with pgvector its distance operator does it.
    func search(_ query: [Float], model: String, limit: Int) throws -> [Hit] {
        let db = try database()
        let parameters = [PostgresArray.reals(query), model, String(query.count), String(limit)]
        let score = hasPGVector
            ? "1 - (c.embedding::vector <=> $1::vector)"
            : "(SELECT sum(a::float8 * b) FROM unnest(c.embedding, $1::real[]) AS t(a, b))"
        let sql = """
            SELECT c.document_id, d.file_name, c.chunk_index, left(c.content, 240) AS snippet, \(score) AS score
            FROM document_chunks c JOIN documents d ON d.id = c.document_id
            WHERE d.status = 'embedded' AND d.embedding_model = $2 AND cardinality(c.embedding) = $3::int
            ORDER BY score DESC, c.document_id, c.chunk_index LIMIT $4::int
            """
        let result: PostgresResult
        do {
            result = try Self.retrying { try db.execute(sql, parameters) }
        } catch PluginError.fail where hasPGVector {
            // pgvector present but unusable (say, an old version without casts): plain SQL still works.
            hasPGVector = false
            return try search(query, model: model, limit: limit)
        }
        return result.rows.indices.map { row in
            Hit(documentId: result.value(row, "document_id") ?? "", fileName: result.value(row, "file_name"),
                chunkIndex: Int(result.value(row, "chunk_index") ?? "0") ?? 0,
                score: Double(result.value(row, "score") ?? "0") ?? 0, snippet: result.value(row, "snippet") ?? "")
        }
    }

    /// nil when PostgreSQL answers.
    func healthProblem() -> String? {
        do {
            _ = try Self.retrying { try database().execute("SELECT 1") }
            return nil
        } catch {
            return "database unreachable: \(error)"
        }
    }
}

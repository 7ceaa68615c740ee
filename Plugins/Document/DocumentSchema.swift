/// The document tables (shared contract: the report generator reads `documents`). One statement
/// per step: libpq runs parameterised statements one at a time.
enum DocumentSchema {
    static let migrations = [
        """
        CREATE TABLE IF NOT EXISTS documents (
            id uuid PRIMARY KEY,
            event_id uuid UNIQUE,
            file_name text,
            content_type text,
            size bigint,
            sha256 text,
            path text,
            status text NOT NULL CHECK (status IN ('uploaded', 'parsed', 'embedded', 'failed')),
            chunk_count int NOT NULL DEFAULT 0,
            error text,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now())
        """,
        """
        CREATE TABLE IF NOT EXISTS document_chunks (
            document_id uuid NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
            chunk_index int NOT NULL,
            content text NOT NULL,
            embedding real[],
            PRIMARY KEY (document_id, chunk_index))
        """,
        // Vectors of different models are not comparable: search only compares like with like.
        "ALTER TABLE documents ADD COLUMN IF NOT EXISTS embedding_model text",
        "ALTER TABLE documents ADD COLUMN IF NOT EXISTS dimensions int",
        "ALTER TABLE documents ADD COLUMN IF NOT EXISTS characters int",
        "CREATE INDEX IF NOT EXISTS documents_status_model ON documents (status, embedding_model)",
    ]
}

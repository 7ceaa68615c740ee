import PakaPostgres

/// The `reports` table: one row per request event, so a redelivery finds the report it made.
final class ReportStore {
    private let database: MigratedDatabase

    init(url: String) { database = MigratedDatabase(url: url, component: "report", migrations: Self.migrations) }

    static let migrations = [
        """
        CREATE TABLE IF NOT EXISTS reports (
            id uuid PRIMARY KEY, event_id uuid UNIQUE NOT NULL, report_type text NOT NULL,
            period_start timestamptz, period_end timestamptz, summary text, path text,
            created_at timestamptz NOT NULL DEFAULT now())
        """,
        // published_at: set once report.ready and notification.send went out, so a redelivery
        // after a crash between the two publishes again, and after success does nothing.
        "ALTER TABLE reports ADD COLUMN IF NOT EXISTS published_at timestamptz, ADD COLUMN IF NOT EXISTS requested_by text",
    ]

    /// The open connection, schema applied; throws when PostgreSQL cannot be reached.
    func connection() throws(PostgresError) -> PostgresConnection { try database.connection() }

    struct Existing { let id: String; let published: Bool }

    /// The report id for an event: derived from the event id, so every attempt writes the
    /// same files and the same row. Non-UUID event ids map to their MD5 (as audit does).
    func identify(eventId: String) throws(PostgresError) -> (eventUUID: String, reportId: String, existing: Existing?) {
        let uuid = MigratedDatabase.eventUUID("$1")
        let result = try connection().execute("""
            SELECT e.uuid AS event_uuid, md5('paka-report:' || e.uuid::text)::uuid AS report_id, r.id, r.published_at IS NOT NULL AS published
            FROM (SELECT \(uuid) AS uuid) AS e LEFT JOIN reports r ON r.event_id = e.uuid
            """, [eventId])
        let existing = result.value(0, "id").map { Existing(id: $0, published: result.value(0, "published") == "t") }
        return (result.value(0, "event_uuid")!, result.value(0, "report_id")!, existing)
    }

    /// Records (or, while unpublished, refreshes) the report row.
    func record(id: String, eventUUID: String, _ request: ReportRequest, summary: String, path: String) throws(PostgresError) {
        try connection().execute("""
            INSERT INTO reports (id, event_id, report_type, period_start, period_end, summary, path, requested_by)
            VALUES ($1::uuid, $2::uuid, $3, $4::timestamptz, $5::timestamptz, $6, $7, $8)
            ON CONFLICT (event_id) DO UPDATE SET summary = EXCLUDED.summary, path = EXCLUDED.path
            WHERE reports.published_at IS NULL
            """, [id, eventUUID, request.kind.rawValue, request.start, request.end, summary, path, request.requestedBy])
    }

    func markPublished(id: String) throws(PostgresError) {
        try connection().execute("UPDATE reports SET published_at = now() WHERE id = $1::uuid", [id])
    }

    /// The HTML file of a report, nil when there is no such report.
    func path(of id: String) throws(PostgresError) -> String? {
        try connection().execute("SELECT path FROM reports WHERE id = $1::uuid", [id]).rows.first?.first ?? nil
    }

    func problem() -> String? { database.healthProblem() }
}

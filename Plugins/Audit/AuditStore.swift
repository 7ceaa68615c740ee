import PakaPostgres

/// `audit_events` in PostgreSQL: the schema, the one-statement batch insert, the query behind
/// the route. Connects lazily so the host can start before the database does.
final class AuditStore {
    private let database: MigratedDatabase

    init(url: String) { database = MigratedDatabase(url: url, component: "audit", migrations: Self.migrations) }

    /// Versioned schema (component "audit"); one statement per version (libpq's
    /// parameterised protocol runs one statement at a time).
    static let migrations = [
        """
        CREATE TABLE IF NOT EXISTS audit_events (
            event_id uuid PRIMARY KEY, action text NOT NULL, resource text NOT NULL, resource_id text,
            actor text, details jsonb NOT NULL DEFAULT '{}', occurred_at timestamptz NOT NULL,
            recorded_at timestamptz NOT NULL DEFAULT now())
        """,
        // The route lists newest first, usually filtered by resource.
        "CREATE INDEX IF NOT EXISTS audit_events_occurred_at_idx ON audit_events (occurred_at DESC)",
        "CREATE INDEX IF NOT EXISTS audit_events_resource_idx ON audit_events (resource, occurred_at DESC)",
    ]

    /// The open connection, schema applied; throws when PostgreSQL cannot be reached.
    func connection() throws(PostgresError) -> PostgresConnection { try database.connection() }

    /// The whole batch in one COPY. When some of its events were stored before (a
    /// redelivery), COPY refuses it all (unique violation) and one multi-row INSERT … ON
    /// CONFLICT DO NOTHING stores the rest. Events whose id is not a UUID (never Paka's own)
    /// take that INSERT too, where SQL maps the id. Returns how many rows were new.
    ///
    /// Why COPY first: INSERT's per-row executor work made PostgreSQL alone take twice as long
    /// as COPY for the same rows (`scripts/bench --audit-only`); redeliveries are rare.
    @discardableResult
    func insert(_ records: [AuditRecord]) throws(PostgresError) -> Int {
        guard !records.isEmpty else { return 0 }
        let db = try connection()
        let copyable = records.filter { $0.eventUUID != nil }, foreign = records.filter { $0.eventUUID == nil }
        var stored = 0
        if !copyable.isEmpty {
            do throws(PostgresError) {
                stored += try db.copy(Self.copySQL, Self.copyRows(copyable))
            } catch where error.sqlState == Self.uniqueViolation {
                stored += try Self.insertWithSQL(copyable, on: db)
            }
        }
        if !foreign.isEmpty { stored += try Self.insertWithSQL(foreign, on: db) }
        return stored
    }

    private static func insertWithSQL(_ records: [AuditRecord], on db: PostgresConnection) throws(PostgresError) -> Int {
        var parameters: [String?] = []
        parameters.reserveCapacity(records.count * 7)
        for record in records { parameters += record.parameters }
        return try db.execute(insertSQL(rows: records.count), parameters).affectedRows
    }

    static let uniqueViolation = "23505"

    static let copySQL = "COPY audit_events (event_id, action, resource, resource_id, actor, details, occurred_at) FROM STDIN"

    static func copyRows(_ records: [AuditRecord]) -> PostgresCopyRows {
        var rows = PostgresCopyRows(reservingBytes: records.reduce(0) { $0 + 96 + $1.details.utf8.count })
        for record in records {
            rows.append(record.eventUUID!)
            rows.append(record.action)
            rows.append(record.resource)
            rows.append(record.resourceId)
            rows.append(record.actor)
            rows.append(record.details)
            // COPY cannot call now(); 'now' means the same to timestamptz's input: the
            // transaction's start, as recorded_at's default.
            rows.append(record.occurredAt ?? "now")
            rows.endRow()
        }
        return rows
    }

    static func insertSQL(rows: Int) -> String {
        var values = ""
        values.reserveCapacity(rows * 48)
        for row in 0..<rows {
            let p = row * 7
            if row == 0 {
                // The first row types the VALUES columns; later rows follow.
                values += "($1::text,$2::text,$3::text,$4::text,$5::text,$6::text,$7::text)"
            } else {
                values += ",($\(p + 1),$\(p + 2),$\(p + 3),$\(p + 4),$\(p + 5),$\(p + 6),$\(p + 7))"
            }
        }
        return """
            INSERT INTO audit_events (event_id, action, resource, resource_id, actor, details, occurred_at)
            SELECT \(MigratedDatabase.eventUUID("v.id")), v.action, v.resource, v.resource_id, v.actor, v.details::jsonb, coalesce(v.occurred::timestamptz, now())
            FROM (VALUES \(values)) AS v(id, action, resource, resource_id, actor, details, occurred)
            ON CONFLICT (event_id) DO NOTHING
            """
    }

    /// The route's query: newest first, as one JSON array built by PostgreSQL.
    func list(_ filter: AuditEventsFilter) throws(PostgresError) -> String {
        let sql = """
            SELECT coalesce(json_agg(json_build_object(
                'eventId', event_id, 'action', action, 'resource', resource, 'resourceId', resource_id, 'actor', actor,
                'details', details, 'occurredAt', \(Self.utc("occurred_at")), 'recordedAt', \(Self.utc("recorded_at"))) ORDER BY occurred_at DESC, recorded_at DESC), '[]') AS events
            FROM (SELECT * FROM audit_events
                  WHERE ($1::text IS NULL OR resource = $1) AND ($2::text IS NULL OR action = $2)
                    AND ($3::text IS NULL OR resource_id = $3) AND ($4::text IS NULL OR actor = $4)
                    AND ($5::timestamptz IS NULL OR occurred_at >= $5)
                  ORDER BY occurred_at DESC, recorded_at DESC LIMIT $6::int) AS newest
            """
        let result = try connection().execute(sql, [filter.resource, filter.action, filter.resourceId, filter.actor, filter.since, String(filter.limit)])
        return result.value(0, "events") ?? "[]"
    }

    /// ISO-8601 in UTC whatever the session's time zone (a reconnect resets session settings).
    private static func utc(_ column: String) -> String {
        "to_char(\(column) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
    }

    func problem() -> String? { database.healthProblem() }
}

import PakaPostgres

/// What a report says, read from PostgreSQL for one period. A table another processor has
/// not created yet is reported as missing (nil), not as an error.
struct ReportFigures {
    typealias Count = (label: String, count: Int)

    var auditTotal: Int?
    /// Every UTC day of the period, zeros included.
    var eventsPerDay: [Count] = []
    var topActions: [Count] = []
    var documentsByStatus: [Count]?
    var notificationsByStatus: [Count]?

    static let topActionCount = 10

    static func load(from db: PostgresConnection, start: String, end: String) throws(PostgresError) -> ReportFigures {
        let present = try db.execute("""
            SELECT to_regclass('audit_events') IS NOT NULL AS audit, to_regclass('documents') IS NOT NULL AS documents,
                   to_regclass('notifications') IS NOT NULL AS notifications
            """)
        var figures = ReportFigures()
        let period = [start, end]
        if present.value(0, "audit") == "t" {
            figures.auditTotal = Int(try db.execute(
                "SELECT count(*) AS n FROM audit_events WHERE occurred_at >= $1::timestamptz AND occurred_at < $2::timestamptz",
                period).value(0, "n") ?? "0") ?? 0
            figures.eventsPerDay = counts(try db.execute("""
                SELECT to_char(day, 'YYYY-MM-DD') AS label, count(e.event_id) AS n
                FROM generate_series(date_trunc('day', $1::timestamptz AT TIME ZONE 'UTC'),
                                     $2::timestamptz AT TIME ZONE 'UTC' - interval '1 microsecond', interval '1 day') AS day
                LEFT JOIN audit_events e ON e.occurred_at >= $1::timestamptz AND e.occurred_at < $2::timestamptz
                     AND date_trunc('day', e.occurred_at AT TIME ZONE 'UTC') = day
                GROUP BY day ORDER BY day
                """, period))
            figures.topActions = counts(try db.execute("""
                SELECT action AS label, count(*) AS n FROM audit_events
                WHERE occurred_at >= $1::timestamptz AND occurred_at < $2::timestamptz
                GROUP BY action ORDER BY n DESC, action LIMIT \(topActionCount)
                """, period))
        }
        if present.value(0, "documents") == "t" {
            figures.documentsByStatus = try byStatus("documents", db, period)
        }
        if present.value(0, "notifications") == "t" {
            figures.notificationsByStatus = try byStatus("notifications", db, period)
        }
        return figures
    }

    private static func byStatus(_ table: String, _ db: PostgresConnection, _ period: [String]) throws(PostgresError) -> [Count] {
        counts(try db.execute("""
            SELECT status AS label, count(*) AS n FROM \(table)
            WHERE created_at >= $1::timestamptz AND created_at < $2::timestamptz GROUP BY status ORDER BY status
            """, period))
    }

    private static func counts(_ result: PostgresResult) -> [Count] {
        (0..<result.rows.count).map { (result.value($0, "label") ?? "", Int(result.value($0, "n") ?? "0") ?? 0) }
    }
}

extension Array where Element == ReportFigures.Count {
    var total: Int { reduce(0) { $0 + $1.count } }
}

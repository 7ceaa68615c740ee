import PakaPostgres

/// The notification outcome tables: `notifications` (one row per event, read by the report
/// processor) and `notification_deliveries` (one row per event and channel, so a retry after a
/// partial success sends only the channels still missing).
final class NotificationStore {
    private let db: PostgresConnection

    static let migrations = [
        """
        CREATE TABLE IF NOT EXISTS notifications (
            event_id uuid PRIMARY KEY,
            channel text NOT NULL,
            status text NOT NULL CHECK (status IN ('sent', 'failed', 'logged')),
            provider_message_id text,
            title text,
            body text,
            error text,
            created_at timestamptz NOT NULL DEFAULT now(),
            sent_at timestamptz)
        """,
        // One statement per step: libpq's parameterised protocol runs a single command.
        """
        CREATE TABLE IF NOT EXISTS notification_deliveries (
            event_id uuid NOT NULL,
            channel text NOT NULL,
            status text NOT NULL CHECK (status IN ('sent', 'failed', 'logged')),
            provider_message_id text,
            error text,
            sent_at timestamptz,
            published boolean NOT NULL DEFAULT false,
            PRIMARY KEY (event_id, channel))
        """,
    ]

    init(url: String) throws {
        db = try PostgresConnection(url: url)
        try Migrations.apply(Self.migrations, component: "notification", on: db)
    }

    var isHealthy: Bool { db.isHealthy }

    struct Recorded {
        let status: String
        let providerMessageId: String?
        let published: Bool
    }

    /// The event's summary status ('sent', 'failed', 'logged'), nil when never recorded.
    func summaryStatus(eventId: String) throws -> String? {
        try db.execute("SELECT status FROM notifications WHERE event_id = $1", [eventId]).rows.first?.first ?? nil
    }

    /// Deliveries recorded for the event, by channel.
    func deliveries(eventId: String) throws -> [String: Recorded] {
        let result = try db.execute("SELECT channel, status, provider_message_id, published FROM notification_deliveries WHERE event_id = $1", [eventId])
        var byChannel: [String: Recorded] = [:]
        for row in result.rows.indices {
            guard let channel = result.value(row, "channel"), let status = result.value(row, "status") else { continue }
            byChannel[channel] = Recorded(status: status, providerMessageId: result.value(row, "provider_message_id"),
                                          published: result.value(row, "published") == "t")
        }
        return byChannel
    }

    func recordDelivery(eventId: String, channel: String, status: String, providerMessageId: String?, error: String?) throws {
        try db.execute("""
            INSERT INTO notification_deliveries (event_id, channel, status, provider_message_id, error, sent_at)
            VALUES ($1, $2, $3, $4, $5, CASE WHEN $3 = 'failed' THEN NULL ELSE now() END)
            ON CONFLICT (event_id, channel) DO UPDATE SET status = EXCLUDED.status,
                provider_message_id = EXCLUDED.provider_message_id, error = EXCLUDED.error, sent_at = EXCLUDED.sent_at
            """, [eventId, channel, status, providerMessageId, error])
    }

    func markPublished(eventId: String, channel: String) throws {
        try db.execute("UPDATE notification_deliveries SET published = true WHERE event_id = $1 AND channel = $2", [eventId, channel])
    }

    /// The event's one-line outcome; `channel` is the channels joined with ",".
    func recordSummary(eventId: String, channel: String, status: String, providerMessageId: String?,
                       title: String, body: String, error: String?) throws {
        try db.execute("""
            INSERT INTO notifications (event_id, channel, status, provider_message_id, title, body, error, sent_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $3 = 'failed' THEN NULL ELSE now() END)
            ON CONFLICT (event_id) DO UPDATE SET channel = EXCLUDED.channel, status = EXCLUDED.status,
                provider_message_id = EXCLUDED.provider_message_id, error = EXCLUDED.error, sent_at = EXCLUDED.sent_at
            """, [eventId, channel, status, providerMessageId, title, body, error])
    }
}

import PakaPluginSDK
import PakaPostgres

/// Sends each `notification.send` event through Telegram, e-mail, a JSON webhook — or, with
/// none configured, the host log — once, records the outcome in PostgreSQL and publishes
/// `notification.sent` per delivered channel.
///
/// Once per event id: a channel whose delivery is recorded is never sent again, so a
/// redelivered event sends nothing and a retry after a partial success sends only what is
/// missing. The one gap is a crash between a provider's acceptance and the row recording it.
public final class NotificationProcessor: PakaPlugin, PakaHealthReporting {
    public static let name = "notification"
    public static let version = "1.0.0"
    public static let topics = ["notification.send"]
    public static let consumerGroup: String? = "paka-notification-processor"

    private let host: PluginHost
    private let settings: NotificationSettings
    private let configured: [any NotificationChannel]
    /// nil until PostgreSQL answers: the plugin starts during an outage and connects later.
    private var store: NotificationStore?

    public init(host: PluginHost, config: PluginConfig) throws {
        self.host = host
        settings = try NotificationSettings(config)
        var channels: [any NotificationChannel] = []
        if let t = settings.telegram {
            channels.append(TelegramChannel(token: t.token, chatId: t.chatId, apiBase: t.apiBase, timeout: settings.timeout, maxRetryAfter: settings.maxRetryAfter))
        }
        if let e = settings.email {
            channels.append(EmailChannel(url: e.url, user: e.user, password: e.password, from: e.from, to: e.to, timeout: settings.timeout))
        }
        if let url = settings.webhookURL { channels.append(WebhookChannel(url: url, timeout: settings.timeout)) }
        configured = channels
        let names = channels.isEmpty ? "none configured, notifications go to the log" : channels.map(\.name).joined(separator: ", ")
        host.log(.info, "channels: \(names)")
        do { store = try NotificationStore(url: settings.databaseURL) } catch {
            host.log(.warning, "PostgreSQL not reachable yet (\(error)); events are retried until it is")
        }
    }

    public func handle(_ event: Event) throws {
        do {
            try process(event)
        } catch let error as PluginError {
            // Providers' texts may echo what they were sent; secrets are cut from every message.
            switch error {
            case .retry(let m): throw PluginError.retry(settings.redact(m))
            case .fail(let m): throw PluginError.fail(settings.redact(m))
            }
        } catch {
            throw PluginError.fail(settings.redact("\(error)"))
        }
    }

    public func healthProblem() -> String? {
        do {
            guard try database().isHealthy else { return "PostgreSQL does not answer" }
            return nil
        } catch {
            return "\(error)"
        }
    }

    private func process(_ event: Event) throws {
        let request = try event.data(as: NotificationRequest.self)
        let channels = try plan(request)
        let db = try database()
        let recorded = try storing { try db.deliveries(eventId: event.id) }
        if let status = try storing({ try db.summaryStatus(eventId: event.id) }), status != "failed" {
            // Already delivered: only a publish that failed last time is left to do.
            for (channel, delivery) in recorded where !delivery.published && delivery.status != "failed" {
                try publish(event, channel: channel, status: delivery.status, providerMessageId: delivery.providerMessageId, db: db)
            }
            return
        }
        var retries: [String] = [], failures: [String] = []
        var delivered: [(channel: String, delivery: Delivery)] = []
        for channel in channels {
            if let previous = recorded[channel.name], previous.status != "failed" {
                delivered.append((channel.name, Delivery(status: previous.status, providerMessageId: previous.providerMessageId)))
                if !previous.published {
                    try publish(event, channel: channel.name, status: previous.status, providerMessageId: previous.providerMessageId, db: db)
                }
                continue
            }
            do {
                let delivery = try channel.deliver(request, eventId: event.id)
                try storing { try db.recordDelivery(eventId: event.id, channel: channel.name, status: delivery.status, providerMessageId: delivery.providerMessageId, error: nil) }
                delivered.append((channel.name, delivery))
                try publish(event, channel: channel.name, status: delivery.status, providerMessageId: delivery.providerMessageId, db: db)
            } catch PluginError.retry(let reason) {
                retries.append("\(channel.name): \(settings.redact(reason))")
            } catch PluginError.fail(let reason) {
                let reason = settings.redact(reason)
                failures.append("\(channel.name): \(reason)")
                try storing { try db.recordDelivery(eventId: event.id, channel: channel.name, status: "failed", providerMessageId: nil, error: reason) }
            }
        }
        // A retry comes first: the event returns and the failed channel is tried once more with it.
        if !retries.isEmpty { throw PluginError.retry((retries + failures).joined(separator: "; ")) }
        let status = !failures.isEmpty ? "failed" : delivered.allSatisfy({ $0.delivery.status == "logged" }) ? "logged" : "sent"
        let error = failures.isEmpty ? nil : failures.joined(separator: "; ")
        try storing {
            try db.recordSummary(eventId: event.id, channel: channels.map(\.name).joined(separator: ","), status: status,
                                 providerMessageId: delivered.first?.delivery.providerMessageId,
                                 title: request.title, body: request.body, error: error)
        }
        if let error { throw PluginError.fail(error) }
    }

    /// The channels for this notification: the one it names, else every configured one, else the log.
    private func plan(_ request: NotificationRequest) throws -> [any NotificationChannel] {
        guard let wanted = request.channel, !wanted.isEmpty else {
            return configured.isEmpty ? [LogChannel(host: host)] : configured
        }
        if wanted == "log" { return [LogChannel(host: host)] }
        if let channel = configured.first(where: { $0.name == wanted }) { return [channel] }
        let how = ["telegram": "TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID", "email": "SMTP_URL, MAIL_FROM and MAIL_TO", "webhook": "WEBHOOK_URL"]
        guard let settingsNeeded = how[wanted] else {
            throw PluginError.fail("unknown channel '\(wanted)': use telegram, email, webhook or log")
        }
        throw PluginError.fail("channel '\(wanted)' is requested but not configured: set \(settingsNeeded)")
    }

    private func publish(_ event: Event, channel: String, status: String, providerMessageId: String?, db: NotificationStore) throws {
        struct Sent: Encodable { let eventId: String, channel: String, status: String, providerMessageId: String? }
        try host.publish(topic: "notification.sent", key: event.key,
                         data: Sent(eventId: event.id, channel: channel, status: status, providerMessageId: providerMessageId))
        try storing { try db.markPublished(eventId: event.id, channel: channel) }
    }

    private func database() throws -> NotificationStore {
        if let store { return store }
        let opened = try storing { try NotificationStore(url: settings.databaseURL) }
        store = opened
        return opened
    }

    /// Runs a database step: values the database refuses are the event's fault (FAIL); anything
    /// else is an outage or the operator's to fix (RETRY, never dead-lettered).
    private func storing<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PostgresError where error.isEventProblem {
            let hint = error.sqlState == "22P02" ? " (the event id must be a UUID)" : ""
            throw PluginError.fail("PostgreSQL refused the notification record: \(error)\(hint)")
        } catch let error as PostgresError {
            throw PluginError.retry("PostgreSQL unavailable: \(error)")
        }
    }
}

@_cdecl("paka_plugin_entry")
public func pakaPluginEntry() -> UnsafeRawPointer { PluginExport.entry(for: NotificationProcessor.self) }

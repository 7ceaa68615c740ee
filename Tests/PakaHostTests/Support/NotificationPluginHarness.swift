import Foundation
import PakaPipeline
import PakaPluginHost
import PakaPostgres

/// The notification plugin's .so loaded into a registry with `config` (plus DATABASE_URL),
/// events handed to it the way the host's consumer loop does.
final class NotificationPluginHarness {
    let services = RecordingHostServices()
    let registry: PluginRegistry
    let plugin: LoadedPlugin

    /// `databaseURL` nil: the test server's DATABASE_URL.
    init(config: [String: String], databaseURL: String? = nil) throws {
        var settings = config
        settings["databaseURL"] = try databaseURL ?? NotificationTestEnvironment.databaseURL()
        registry = PluginRegistry(services: services, logger: .test)
        let entry = PluginEntry(name: "notification", library: TestPaths.builtPlugin("NotificationProcessor"),
                                config: .object(settings.mapValues { .string($0) }))
        let refusals = registry.apply(PakaConfiguration(pluginDir: "/", plugins: [entry]))
        guard refusals.isEmpty, let plugin = registry.active(named: "notification") else {
            throw NotificationTestEnvironment.Missing(description: "notification plugin refused: \(refusals.map(\.message))")
        }
        self.plugin = plugin
    }

    deinit { registry.shutdown() }

    /// Hands one `notification.send` event (with `data`) to the plugin; returns its answer.
    func send(_ data: String, id: String = UUID().uuidString.lowercased(), attempt: UInt32 = 1) -> EventOutcome? {
        let envelope = CloudEvent(id: id, source: "test", type: "notification.send", subject: "n-\(id)", data: Array(data.utf8))
        let event = PluginEvent(id: id, topic: "notification.send", key: Array("n-\(id)".utf8), payload: envelope.jsonBytes, attempt: attempt)
        return plugin.handle([event])?.first
    }

    /// The `notification.sent` events published, decoded.
    var sent: [[String: Any]] {
        services.published.filter { $0.topic == "notification.sent" }.compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.data.utf8))) as? [String: Any]
        }
    }

    /// The event's `notifications` row (column → value), nil when none.
    static func notificationRow(_ id: String) throws -> [String: String?]? {
        let result = try NotificationTestEnvironment.database().execute("SELECT * FROM notifications WHERE event_id = $1", [id])
        guard let row = result.rows.first else { return nil }
        return Dictionary(uniqueKeysWithValues: zip(result.columns, row))
    }

    /// The event's `notification_deliveries` rows by channel → status.
    static func deliveries(_ id: String) throws -> [String: String] {
        let result = try NotificationTestEnvironment.database().execute("SELECT channel, status FROM notification_deliveries WHERE event_id = $1", [id])
        return Dictionary(uniqueKeysWithValues: result.rows.map { ($0[0] ?? "", $0[1] ?? "") })
    }
}

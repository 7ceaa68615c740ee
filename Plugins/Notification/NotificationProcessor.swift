import PakaPluginSDK

/// Sends notifications to Telegram, e-mail and webhooks.
///
/// This release receives and logs its events; its real work lands with the processors issue.
public final class NotificationProcessor: PakaPlugin {
    public static let name = "notification"
    public static let version = "0.1.0"
    public static let topics = ["notification.send"]
    public static let consumerGroup: String? = "paka-notification-processor"

    private let host: PluginHost

    public init(host: PluginHost, config: PluginConfig) throws {
        self.host = host
    }

    public func handle(_ event: Event) throws {
        host.log(.info, "received \(event.topic) event \(event.id) (key \(event.key), \(event.envelope.count) bytes)")
    }
}

@_cdecl("paka_plugin_entry")
public func pakaPluginEntry() -> UnsafeRawPointer { PluginExport.entry(for: NotificationProcessor.self) }

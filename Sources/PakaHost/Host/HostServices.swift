import Foundation
import Logging
import Synchronization

/// The host's side of the C host table: plugin publishes go through the `EventRouter`, plugin
/// logs through swift-log with the plugin's name attached.
public final class HostServices: PluginHostServices {
    private let router = Mutex<EventRouter?>(nil)
    private let logger: Logger
    private let dataDirectory: String

    public init(dataDirectory: String, logger: Logger) {
        self.dataDirectory = dataDirectory
        self.logger = logger
    }

    /// Set once the router exists (the router needs the registry, which needs these services).
    public func connect(_ router: EventRouter) { self.router.withLock { $0 = router } }

    public func publish(from plugin: String, topic: String, key: String, data: [UInt8]) -> Bool {
        guard Topics.isValidName(topic), CloudEvent.isJSONValue(data), let router = router.withLock({ $0 }) else {
            logger.warning("plugin publish refused: invalid topic or data is not JSON", metadata: ["plugin": "\(plugin)", "topic": "\(topic)"])
            return false
        }
        router.publishFromPlugin(CloudEvent(source: "paka/plugins/\(plugin)", type: topic, subject: key, data: data))
        return true
    }

    public func log(from plugin: String, level: Logger.Level, message: String) {
        logger.log(level: level, "\(message)", metadata: ["plugin": "\(plugin)"])
    }

    public func dataDirectory(for plugin: String) -> String {
        ((dataDirectory as NSString).appendingPathComponent("plugins") as NSString).appendingPathComponent(plugin)
    }
}

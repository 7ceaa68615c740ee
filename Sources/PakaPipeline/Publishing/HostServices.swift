import Foundation
import Logging
import PakaPluginHost
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
        publishChecked(from: plugin, topic: topic, key: key, data: data) == .accepted
    }

    public func publishChecked(from plugin: String, topic: String, key: String, data: [UInt8]) -> PluginPublishOutcome {
        let outcome: PluginPublishOutcome
        if !Topics.isValidName(topic) {
            outcome = .refused("'\(topic)' is not a valid Kafka topic name (1-249 of [a-zA-Z0-9._-], not '.' or '..')")
        } else if !CloudEvent.isJSONValue(data) {
            outcome = .refused("data for topic '\(topic)' is not one JSON value")
        } else if let capture = PublishCapture.current {
            // An exactly-once consumer is handling an event: the event goes into its transaction.
            capture.append(CloudEvent(source: "paka/plugins/\(plugin)", type: topic, subject: key, data: data))
            return .accepted
        } else if let router = router.withLock({ $0 }) {
            router.publishFromPlugin(CloudEvent(source: "paka/plugins/\(plugin)", type: topic, subject: key, data: data))
            return .accepted
        } else {
            outcome = .retryLater("the host is still starting: its event router is not connected yet")
        }
        logger.warning("plugin publish not taken: \(outcome.reason)", metadata: ["plugin": "\(plugin)", "topic": "\(topic)"])
        return outcome
    }

    public func log(from plugin: String, level: Logger.Level, message: String) {
        logger.log(level: level, "\(message)", metadata: ["plugin": "\(plugin)"])
    }

    public func dataDirectory(for plugin: String) -> String {
        ((dataDirectory as NSString).appendingPathComponent("plugins") as NSString).appendingPathComponent(plugin)
    }
}

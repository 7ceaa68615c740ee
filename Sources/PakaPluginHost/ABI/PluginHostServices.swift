import Logging

/// What the host offers a plugin through the C host table. The registry supplies the real
/// implementation (publish through Kafka or the synchronous fallback, log through swift-log).
public protocol PluginHostServices: Sendable {
    /// Publishes `data` (a JSON value) as a CloudEvent of type `topic`; false if refused.
    func publish(from plugin: String, topic: String, key: String, data: [UInt8]) -> Bool
    /// The same publish, saying whether a refusal is for now or for good (ABI 1.1
    /// `publish_checked`). The default, for services that only know yes or no, calls a
    /// refusal permanent.
    func publishChecked(from plugin: String, topic: String, key: String, data: [UInt8]) -> PluginPublishOutcome
    func log(from plugin: String, level: Logger.Level, message: String)
    /// Folder the plugin may write its files to.
    func dataDirectory(for plugin: String) -> String
}

extension PluginHostServices {
    public func publishChecked(from plugin: String, topic: String, key: String, data: [UInt8]) -> PluginPublishOutcome {
        publish(from: plugin, topic: topic, key: key, data: data) ? .accepted : .refused("the host refused the event for topic '\(topic)'")
    }
}

import Logging

/// What the host offers a plugin through the C host table. The registry supplies the real
/// implementation (publish through Kafka or the synchronous fallback, log through swift-log).
public protocol PluginHostServices: Sendable {
    /// Publishes `data` (a JSON value) as a CloudEvent of type `topic`; false if refused.
    func publish(from plugin: String, topic: String, key: String, data: [UInt8]) -> Bool
    func log(from plugin: String, level: Logger.Level, message: String)
    /// Folder the plugin may write its files to.
    func dataDirectory(for plugin: String) -> String
}

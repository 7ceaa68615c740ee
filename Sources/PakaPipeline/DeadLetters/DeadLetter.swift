import PakaKafka
import PakaPluginHost

/// An event on its way to `<topic>.dlq`, with headers that say why and where it came from.
struct DeadLetter: Sendable {
    var originalTopic: String
    var partition: Int32
    var offset: Int64
    var key: [UInt8]?
    var value: [UInt8]
    var error: String
    var plugin: String
    var pluginVersion: String
    var attempts: Int
    /// More headers after the standard ones (a replay's `paka.replay.*` provenance).
    var extraHeaders: [KafkaHeader] = []
    /// Set when the event crashed the plugin: adds the `paka.error` and `paka.crash.*` headers.
    var crash: CrashReport?

    init(message: KafkaMessage, error: String, plugin: String, pluginVersion: String, attempts: Int) {
        originalTopic = message.topic
        partition = message.partition
        offset = message.offset
        key = message.key
        value = message.value
        self.error = error
        self.plugin = plugin
        self.pluginVersion = pluginVersion
        self.attempts = attempts
    }

    /// Header names are part of the operator contract (documented in docs/kafka.md).
    var headers: [KafkaHeader] {
        [KafkaHeader(name: "paka-error", string: String(error.prefix(2000))),
         KafkaHeader(name: "paka-plugin", string: plugin),
         KafkaHeader(name: "paka-plugin-version", string: pluginVersion),
         KafkaHeader(name: "paka-attempts", string: String(attempts)),
         KafkaHeader(name: "paka-original-topic", string: originalTopic),
         KafkaHeader(name: "paka-original-partition", string: String(partition)),
         KafkaHeader(name: "paka-original-offset", string: String(offset))] + extraHeaders + (crash?.headers ?? [])
    }
}

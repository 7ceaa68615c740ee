import PakaKafka
import PakaPluginHost

/// Why an operator request on a consumer (offsets, pause) could not be served.
public enum ConsumerControlError: Error, Sendable, CustomStringConvertible {
    case noConsumer(String)
    case notPaused(String)
    case invalidTarget(String)
    case kafka(KafkaError)

    public var description: String {
        switch self {
        case .noConsumer(let plugin):
            "plugin '\(plugin)' has no running consumer (it is disabled, consumes no topic, or Kafka is not configured)"
        case .notPaused(let plugin):
            "offsets move only while the plugin is paused: POST /plugins/\(plugin)/pause first (or: paka plugin pause \(plugin))"
        case .invalidTarget(let why): why
        case .kafka(let error): "\(error)"
        }
    }
}

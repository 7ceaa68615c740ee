import PakaKafka
import PakaPluginHost

/// Why a dead-letter listing or replay could not be served.
public enum DeadLetterError: Error, Sendable, CustomStringConvertible {
    case unknownPlugin(String)
    case invalid(String)
    case kafka(KafkaError)
    case storage(String)

    public var description: String {
        switch self {
        case .unknownPlugin(let name): "no plugin named '\(name)' in plugins.json"
        case .invalid(let why): why
        case .kafka(let error): "reading the dead-letter topics failed: \(error)"
        case .storage(let why): why
        }
    }
}

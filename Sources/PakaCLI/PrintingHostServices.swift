import Foundation
import Logging
import PakaPipeline
import PakaPluginHost

/// The host table's services for `paka plugin test`: every publish and log line is printed as
/// it happens (nothing is sent anywhere), publishes are checked as the real host checks them.
final class PrintingHostServices: PluginHostServices {
    let dataRoot: String

    init(dataRoot: String) { self.dataRoot = dataRoot }

    func publish(from plugin: String, topic: String, key: String, data: [UInt8]) -> Bool {
        publishChecked(from: plugin, topic: topic, key: key, data: data) == .accepted
    }

    func publishChecked(from plugin: String, topic: String, key: String, data: [UInt8]) -> PluginPublishOutcome {
        guard Topics.isValidName(topic) else {
            emit("  publish REFUSED: '\(topic)' is not a valid Kafka topic name")
            return .refused("'\(topic)' is not a valid Kafka topic name (1-249 of [a-zA-Z0-9._-], not '.' or '..')")
        }
        guard CloudEvent.isJSONValue(data) else {
            emit("  publish REFUSED on \(topic): data is not one JSON value: \(String(decoding: data.prefix(200), as: UTF8.self))")
            return .refused("data for topic '\(topic)' is not one JSON value")
        }
        emit("  publish \(topic) key=\(quoted(key)): \(String(decoding: data, as: UTF8.self))")
        return .accepted
    }

    func log(from plugin: String, level: Logger.Level, message: String) {
        emit("  log \(level): \(message)")
    }

    func dataDirectory(for plugin: String) -> String { "\(dataRoot)/\(plugin)" }

    private func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

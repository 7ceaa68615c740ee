import Foundation
import PakaPipeline
import PakaPluginHost

/// The events of a `paka plugin test --events FILE.jsonl`: one JSON value per line. A CloudEvent
/// (an object with string `id`, `type`, `source`) is handed over as written, on the topic named
/// by its `type`; any other JSON value is the `data` of a CloudEvent made for it on `topic`.
public enum TestEventFile {
    public struct Line: Sendable {
        public let number: Int
        public let event: Result<PluginEvent, Problem>
    }

    public struct Problem: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Every non-blank line, in order; a line that is not JSON is reported, not dropped.
    public static func parse(_ text: String, topic: String) -> [Line] {
        var lines: [Line] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !line.isEmpty else { continue }
            lines.append(Line(number: index + 1, event: event(from: Array(line.utf8), topic: topic)))
        }
        return lines
    }

    static func event(from bytes: [UInt8], topic: String) -> Result<PluginEvent, Problem> {
        guard CloudEvent.isJSONValue(bytes) else {
            return .failure(Problem(description: "not JSON: each line must be a CloudEvent or the JSON data of one"))
        }
        switch CloudEvent.parse(bytes) {
        case .success(let envelope):
            return .success(PluginEvent(id: envelope.id, topic: envelope.topic, key: Array(envelope.subject.utf8), payload: bytes))
        // The line is JSON (checked above); `try?` only asks whether it is an object with that key.
        case .failure(let why) where (try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])?["specversion"] != nil:
            return .failure(Problem(description: "has 'specversion' but is not a valid CloudEvent: \(why)"))
        case .failure:
            break
        }
        let wrapped = CloudEvent(source: "paka/plugin-test", type: topic, subject: "", data: bytes)
        return .success(PluginEvent(id: wrapped.id, topic: topic, key: [], payload: wrapped.jsonBytes))
    }
}

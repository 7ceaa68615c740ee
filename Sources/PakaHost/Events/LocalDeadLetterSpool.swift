import Foundation
import Logging
import Synchronization

/// Where events that could not be processed go when there is no Kafka to hold a `.dlq` topic:
/// one JSON line per event in `<dataDir>/dead-letters/<topic>.dlq.jsonl`, with the same
/// information the `.dlq` headers carry. Nothing is dropped; an operator can replay the file.
public final class LocalDeadLetterSpool: Sendable {
    private let folder: String
    private let logger: Logger
    private let lock = Mutex(())

    public init(dataDirectory: String, logger: Logger) {
        self.folder = (dataDirectory as NSString).appendingPathComponent("dead-letters")
        self.logger = logger
    }

    public func path(for topic: String) -> String { "\(folder)/\(Topics.deadLetter(of: topic)).jsonl" }

    func store(_ event: CloudEvent, plugin: LoadedPlugin, reason: String, attempts: Int) {
        plugin.counters.recordDeadLetter()
        let record: [String: Any] = [
            "error": reason, "plugin": plugin.name, "pluginVersion": plugin.descriptor.version, "attempts": attempts,
            "originalTopic": event.topic, "storedAt": ISO8601DateFormatter().string(from: Date()),
            "event": (try? JSONSerialization.jsonObject(with: Data(event.jsonBytes))) ?? [:],
        ]
        guard var line = try? JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]) else { return }
        line.append(UInt8(ascii: "\n"))
        let file = path(for: event.topic)
        lock.withLock { _ in
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: file) { _ = FileManager.default.createFile(atPath: file, contents: nil) }
            if let handle = FileHandle(forWritingAtPath: file) {
                handle.seekToEndOfFile()
                handle.write(line)
                try? handle.close()
            }
        }
        logger.warning("event dead-lettered locally (Kafka not connected)", metadata: [
            "plugin": "\(plugin.name)", "topic": "\(event.topic)", "event_id": "\(event.id)", "file": "\(file)", "reason": "\(reason)"])
    }
}

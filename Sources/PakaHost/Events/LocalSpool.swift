import Foundation
import Logging
import Synchronization

/// Where events go when there is no Kafka to hold them, so that nothing is ever dropped:
///
/// - `dead-letters/<topic>.dlq.jsonl`: events a plugin FAILed (or that used up
///   `retry.maxAttempts`) while processed synchronously; each line carries the same facts the
///   `.dlq` headers do.
/// - `deferred/<topic>.jsonl`: events a plugin kept answering RETRY for (its dependency is down
///   too). They are re-published to Kafka as soon as it is connected again, where the consumer
///   retries them with backoff for as long as needed.
public final class LocalSpool: Sendable {
    private let root: String
    private let logger: Logger
    private let lock = Mutex(())

    public init(dataDirectory: String, logger: Logger) {
        self.root = dataDirectory
        self.logger = logger
    }

    public func deadLetterPath(for topic: String) -> String { "\(root)/dead-letters/\(Topics.deadLetter(of: topic)).jsonl" }
    public func deferredPath(for topic: String) -> String { "\(root)/deferred/\(topic).jsonl" }

    func deadLetter(_ event: CloudEvent, plugin: LoadedPlugin, reason: String, attempts: Int, provenance: [String: String] = [:]) {
        plugin.counters.recordDeadLetter()
        var record: [String: Any] = [
            "error": reason, "plugin": plugin.name, "pluginVersion": plugin.descriptor.version, "attempts": attempts,
            "originalTopic": event.topic, "storedAt": ISO8601DateFormatter().string(from: Date()),
            "event": (try? JSONSerialization.jsonObject(with: Data(event.jsonBytes))) ?? [:],
        ]
        record.merge(provenance) { _, replay in replay }
        guard let line = try? JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]) else { return }
        append(Array(line), to: deadLetterPath(for: event.topic))
        logger.warning("event dead-lettered locally (Kafka not connected)", metadata: [
            "plugin": "\(plugin.name)", "topic": "\(event.topic)", "event_id": "\(event.id)", "file": "\(deadLetterPath(for: event.topic))", "reason": "\(reason)"])
    }

    func deferForKafka(_ event: CloudEvent, plugin: String, reason: String) {
        append(event.jsonBytes, to: deferredPath(for: event.topic))
        logger.warning("event deferred until Kafka is back (plugin keeps asking for a retry)", metadata: [
            "plugin": "\(plugin)", "topic": "\(event.topic)", "event_id": "\(event.id)", "reason": "\(reason)"])
    }

    /// Hands every deferred event to `publish`; those it rejects stay spooled. Returns how many went.
    @discardableResult
    public func replayDeferred(_ publish: (CloudEvent) -> Bool) -> Int {
        lock.withLock { _ in
            let folder = "\(root)/deferred"
            guard let files = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return 0 }
            var sent = 0
            for file in files.sorted() where file.hasSuffix(".jsonl") {
                let path = "\(folder)/\(file)"
                guard let data = FileManager.default.contents(atPath: path) else { continue }
                var kept: [UInt8] = []
                for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
                    if case .success(let event) = CloudEvent.parse(Array(line)), publish(event) {
                        sent += 1
                    } else {
                        kept += line + [UInt8(ascii: "\n")]
                    }
                }
                if kept.isEmpty { try? FileManager.default.removeItem(atPath: path) } else { _ = FileManager.default.createFile(atPath: path, contents: Data(kept)) }
            }
            if sent > 0 { logger.info("deferred events re-published to Kafka", metadata: ["count": "\(sent)"]) }
            return sent
        }
    }

    private func append(_ bytes: [UInt8], to file: String) {
        lock.withLock { _ in
            let folder = (file as NSString).deletingLastPathComponent
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            if !FileManager.default.fileExists(atPath: file) { _ = FileManager.default.createFile(atPath: file, contents: nil) }
            guard let handle = FileHandle(forWritingAtPath: file) else {
                logger.critical("cannot write the local spool; the event is only in this log line", metadata: ["file": "\(file)", "event": "\(String(decoding: bytes, as: UTF8.self))"])
                return
            }
            handle.seekToEndOfFile()
            handle.write(Data(bytes + [UInt8(ascii: "\n")]))
            try? handle.close()
        }
    }
}

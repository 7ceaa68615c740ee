import Foundation
import Logging
import PakaPluginHost
import Synchronization

/// Where events go when there is no Kafka to hold them, so that nothing is ever dropped:
///
/// - `dead-letters/<topic>.dlq.jsonl`: events a plugin FAILed (or that used up
///   `retry.maxAttempts`) while processed synchronously; each line carries the same facts the
///   `.dlq` headers do.
/// - `deferred/<topic>.jsonl`: events a plugin kept answering RETRY for (its dependency is down
///   too). They are re-published to Kafka as soon as it is connected again, where the consumer
///   retries them with backoff for as long as needed.
///
/// When the disk refuses a write (full, read-only, a file size limit) the line is held in memory,
/// bounded by `maxHeldBytes`, and written as soon as the disk takes it again; past that bound the
/// write reports `.notKept` and the caller must say so (the HTTP API answers 503). Every failure
/// is logged and counted in `counters`.
public final class LocalSpool: Sendable {
    /// Where an event handed to the spool is now.
    public enum Kept: Sendable, Equatable {
        case written
        /// The disk refused it (the reason); it is in memory until the disk takes it.
        case heldInMemory(String)
        /// Neither written nor held: the caller still owns the event.
        case notKept(String)
    }

    private struct HeldLine { let path: String; let line: [UInt8] }
    private struct State {
        var held: [HeldLine] = []
        var heldBytes = 0
    }

    private let root: String
    let logger: Logger
    /// Guards the files and `held`; never held across anything slower than a local write.
    private let state = Mutex(State())
    private let replaying = Atomic<Bool>(false)
    public let counters: SpoolCounters
    let maxHeldBytes: Int

    public init(dataDirectory: String, logger: Logger, counters: SpoolCounters = SpoolCounters(), maxHeldBytes: Int = 64 << 20) {
        self.root = dataDirectory
        self.logger = logger
        self.counters = counters
        self.maxHeldBytes = maxHeldBytes
        Self.reportFileSizeLimitAsError
    }

    /// A file size limit (RLIMIT_FSIZE) must fail the write with EFBIG, not kill the host with
    /// SIGXFSZ (whose default action ends the process).
    private static let reportFileSizeLimitAsError: Void = { _ = signal(SIGXFSZ, SIG_IGN) }()

    public func deadLetterPath(for topic: String) -> String { "\(root)/dead-letters/\(Topics.deadLetter(of: topic)).jsonl" }
    public func deferredPath(for topic: String) -> String { "\(root)/deferred/\(topic).jsonl" }

    /// Lines held in memory because the disk refused them.
    public var heldCount: Int { state.withLock { $0.held.count } }

    /// - Parameter provenance: extra string fields for the line (an operator's replay names itself).
    func deadLetter(_ event: CloudEvent, plugin: LoadedPlugin, reason: String, attempts: Int, provenance: [String: String] = [:]) -> Kept {
        plugin.counters.recordDeadLetter()
        let path = deadLetterPath(for: event.topic)
        let line = Self.deadLetterLine(event, plugin: plugin.name, version: plugin.descriptor.version, reason: reason, attempts: attempts,
                                       provenance: provenance)
        let kept = keep(line, in: path, eventId: event.id)
        if kept == .written {
            logger.warning("event dead-lettered locally (Kafka not connected)", metadata: [
                "plugin": "\(plugin.name)", "topic": "\(event.topic)", "event_id": "\(event.id)", "file": "\(path)", "reason": "\(reason)"])
        }
        return kept
    }

    func deferForKafka(_ event: CloudEvent, plugin: String, reason: String) -> Kept {
        let kept = keep(event.jsonBytes, in: deferredPath(for: event.topic), eventId: event.id)
        if kept == .written {
            logger.warning("event deferred until Kafka is back (plugin keeps asking for a retry)", metadata: [
                "plugin": "\(plugin)", "topic": "\(event.topic)", "event_id": "\(event.id)", "reason": "\(reason)"])
        }
        return kept
    }

    /// Writes the lines held in memory, in order, as far as the disk takes them; returns how
    /// many are still held. The replayer calls it on every tick.
    @discardableResult
    public func writeHeld() -> Int {
        state.withLock { state in
            writeHeld(&state)
            return state.held.count
        }
    }

    private func keep(_ line: [UInt8], in path: String, eventId: String) -> Kept {
        state.withLock { state in
            writeHeld(&state)
            let reason: String
            if state.held.isEmpty {
                do throws(SpoolWriteError) {
                    try SpoolFile.appendLine(line, to: path)
                    return .written
                } catch {
                    counters.recordWriteFailure()
                    reason = error.description
                }
            } else {
                reason = "earlier lines are still waiting for the disk"  // keeps each file's order
            }
            guard state.heldBytes + line.count <= maxHeldBytes else {
                counters.recordNotKept()
                logger.critical("local spool refused the event and memory for held lines is full; the caller is told", metadata: [
                    "file": "\(path)", "event_id": "\(eventId)", "reason": "\(reason)"])
                return .notKept(reason)
            }
            state.held.append(HeldLine(path: path, line: line))
            state.heldBytes += line.count
            counters.setHeld(state.held.count)
            logger.error("local spool write failed; the event is held in memory until the disk takes it", metadata: [
                "file": "\(path)", "event_id": "\(eventId)", "reason": "\(reason)", "held": "\(state.held.count)"])
            return .heldInMemory(reason)
        }
    }

    private func writeHeld(_ state: inout State) {
        guard !state.held.isEmpty else { return }
        var written = 0
        for held in state.held {
            do throws(SpoolWriteError) {
                try SpoolFile.appendLine(held.line, to: held.path)
                written += 1
                state.heldBytes -= held.line.count
            } catch {
                counters.recordWriteFailure()
                break
            }
        }
        state.held.removeFirst(written)
        counters.setHeld(state.held.count)
        if written > 0 {
            logger.info("lines held in memory written to the local spool", metadata: ["written": "\(written)", "still_held": "\(state.held.count)"])
        }
    }

    /// The deferred files, in name order (one per topic).
    func deferredFiles() -> [String] {
        let folder = "\(root)/deferred"
        // No folder: nothing deferred. Unreadable otherwise: the spool's writes into it fail
        // too, and those are logged and counted where they happen.
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".jsonl") }.sorted().map { "\(folder)/\($0)" }
    }

    /// The bytes of a deferred file now; appends may follow while the replayer works on them.
    func readDeferred(_ path: String) throws(SpoolWriteError) -> [UInt8] {
        try state.withLock { _ throws(SpoolWriteError) in try SpoolFile.read(path) }
    }

    /// Ends a replay of `path`: its first `replayedLength` bytes become `kept` (what was not
    /// published), followed by whatever was appended meanwhile.
    func finishReplay(of path: String, replayedLength: Int, kept: [UInt8]) throws(SpoolWriteError) {
        try state.withLock { _ throws(SpoolWriteError) in
            let now = try SpoolFile.read(path)
            try SpoolFile.replace(path, with: kept + now.dropFirst(replayedLength))
        }
    }

    /// Claims the right to replay; false while another replay runs.
    func beginReplay() -> Bool { !replaying.exchange(true, ordering: .acquiringAndReleasing) }
    func endReplay() { replaying.store(false, ordering: .releasing) }

    /// One line of `dead-letters/<topic>.dlq.jsonl`, keys sorted, the event embedded verbatim.
    static func deadLetterLine(_ event: CloudEvent, plugin: String, version: String, reason: String, attempts: Int,
                               provenance: [String: String] = [:], storedAt: Date = Date()) -> [UInt8] {
        func quoted(_ text: String) -> [UInt8] {
            var out: [UInt8] = []
            CloudEvent.appendQuoted(text, to: &out)
            return out
        }
        var time: [UInt8] = [UInt8(ascii: "\"")]
        EnvelopeTime.append(storedAt, to: &time)
        time.append(UInt8(ascii: "\""))
        var fields: [String: [UInt8]] = [
            "attempts": Array(String(attempts).utf8), "error": quoted(reason), "event": event.jsonBytes,
            "originalTopic": quoted(event.topic), "plugin": quoted(plugin), "pluginVersion": quoted(version), "storedAt": time,
        ]
        for (key, value) in provenance { fields[key] = quoted(value) }  // a replay's fields win
        var out: [UInt8] = [UInt8(ascii: "{")]
        for (index, field) in fields.sorted(by: { $0.key < $1.key }).enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            out += quoted(field.key) + [UInt8(ascii: ":")] + field.value
        }
        out.append(UInt8(ascii: "}"))
        return out
    }
}

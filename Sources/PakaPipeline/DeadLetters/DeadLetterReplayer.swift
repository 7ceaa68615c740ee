import Foundation
import Logging
import PakaKafka
import PakaPluginHost
import Synchronization

/// Gives dead letters back to the one plugin that dead-lettered them — called directly through
/// the registry like the synchronous path, never re-published to the original topic (which
/// every other consumer group would receive again).
///
/// Each delivery carries provenance in the envelope (`paka.replay.of` = the letter,
/// `paka.replay.at`, `paka.replay.by` = the token's `sub`); `attempt` continues the letter's
/// count. A FAIL writes a new dead letter with the same provenance in `paka.replay.*` headers
/// and the old one is marked `failed-again`. Reports are written after every item, so a replay
/// cut short by a restart is reported as `interrupted` with what it did.
public final class DeadLetterReplayer: Sendable {
    static let maxSelection = 10_000

    private let registry: PluginRegistry
    private let bus: KafkaBus?
    private let spool: LocalSpool
    package let store: DeadLetterStore
    private let directory: String
    private let logger: Logger
    private let reports = Mutex<[String: ReplayReport]>([:])
    /// Set by `shutdown`: running replays stop between two letters and read `interrupted`.
    private let stopping = Atomic<Bool>(false)

    package init(registry: PluginRegistry, bus: KafkaBus?, spool: LocalSpool, store: DeadLetterStore, dataDirectory: String, logger: Logger) {
        self.registry = registry
        self.bus = bus
        self.spool = spool
        self.store = store
        self.directory = (dataDirectory as NSString).appendingPathComponent("replays")
        self.logger = logger
        recover()
    }

    /// Loads persisted reports: a replay that was running is now `interrupted`; what replays
    /// delivered or failed again goes back into the ledger.
    private func recover() {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for file in files.sorted() where file.hasSuffix(".json") {
            guard let data = FileManager.default.contents(atPath: "\(directory)/\(file)"),
                  var report = try? Self.decoder.decode(ReplayReport.self, from: data) else { continue }
            if report.status == .running {
                report.status = .interrupted
                report.finishedAt = Date()
                save(report)
                logger.warning("replay was interrupted by a restart; its report says what it did", metadata: [
                    "replay": "\(report.id)", "plugin": "\(report.plugin)", "delivered": "\(report.delivered)", "selected": "\(report.selected)"])
            }
            for item in report.items {
                switch item.outcome {
                case "delivered": store.ledger.set(item.letter, .replayed)
                case "failed-again": store.ledger.set(item.letter, .failedAgain)
                default: break
                }
            }
            reports.withLock { $0[report.id] = report }
        }
    }

    public func report(_ id: String) -> ReplayReport? { reports.withLock { $0[id] } }

    /// Selects the letters, then (unless `dryRun`) delivers them on a thread of their own.
    package func start(plugin name: String, query: DeadLetterQuery, dryRun: Bool, force: Bool, ratePerSecond: Double?, by subject: String) throws(DeadLetterError) -> ReplayReport {
        guard let topics = registry.knownTopics(of: name) else { throw .unknownPlugin(name) }
        var selection = query
        selection.includeResolved = true
        selection.limit = Self.maxSelection
        selection.cursor = nil
        let (entries, page) = try store.page(plugin: name, topics: topics, query: selection)
        var report = ReplayReport(id: UUID().uuidString.lowercased(), plugin: name, requestedBy: subject, requestedAt: Date(),
                                  status: dryRun ? .dryRun : .running, force: force, ratePerSecond: ratePerSecond)
        report.truncated = page.truncated || page.nextCursor != nil
        let ids = entries.map(\.record.id)
        let claimed = dryRun ? Set(ids.filter { force || store.ledger.mark($0) == nil }) : store.ledger.claim(ids, force: force)
        report.items = entries.map { entry in
            ReplayReport.Item(letter: entry.record.id, eventId: entry.record.eventId,
                              outcome: claimed.contains(entry.record.id) ? (dryRun ? "would-deliver" : "pending") : "skipped",
                              reason: claimed.contains(entry.record.id) ? nil : "already handled by a replay (\(store.ledger.state(of: entry.record.id))); use force to deliver again")
        }
        report.count()
        if dryRun { report.finishedAt = Date() }
        save(report)
        reports.withLock { $0[report.id] = report }
        logger.notice("dead-letter replay started", metadata: [
            "replay": "\(report.id)", "plugin": "\(name)", "by": "\(subject)", "selected": "\(report.selected)", "skipped": "\(report.skipped)", "dry_run": "\(dryRun)"])
        if !dryRun {
            let work = entries.filter { claimed.contains($0.record.id) }
            let id = report.id
            BlockingPool.shared.submit { [self] in self.deliver(work, replay: id) }  // blocks on acknowledgements and plugins
        }
        return report
    }

    /// Stops running replays between two letters (host shutdown); they are reported
    /// `interrupted` with what they did, like after a crash.
    public func shutdown() { stopping.store(true, ordering: .releasing) }

    /// Sleeps `seconds` in short slices; false when a shutdown came meanwhile.
    private func pause(_ seconds: Double) -> Bool {
        var left = seconds
        while left > 0 {
            if stopping.load(ordering: .acquiring) { return false }
            Thread.sleep(forTimeInterval: min(left, 0.05))
            left -= 0.05
        }
        return !stopping.load(ordering: .acquiring)
    }

    private func deliver(_ entries: [DeadLetterEntry], replay id: String) {
        guard let start = report(id) else { return }
        let spacing = start.ratePerSecond.map { 1 / max($0, 0.001) }
        for (index, entry) in entries.enumerated() {
            if stopping.load(ordering: .acquiring) || (index > 0 && !(spacing.map(pause) ?? true)) {
                for rest in entries[index...] { store.ledger.set(rest.record.id, nil) }
                finish(id, as: .interrupted)
                return
            }
            let (outcome, reason) = deliver(entry, report: start)
            let updated = reports.withLock { reports -> ReplayReport? in
                guard var report = reports[id], let at = report.items.firstIndex(where: { $0.letter == entry.record.id }) else { return nil }
                report.items[at].outcome = outcome
                report.items[at].reason = reason
                report.count()
                reports[id] = report
                return report
            }
            if let updated { save(updated) }
        }
        finish(id, as: .done)
    }

    private func finish(_ id: String, as status: ReplayReport.Status) {
        let finished = reports.withLock { reports -> ReplayReport? in
            reports[id]?.status = status
            reports[id]?.finishedAt = Date()
            return reports[id]
        }
        if let finished {
            save(finished)
            logger.notice(status == .done ? "dead-letter replay finished" : "dead-letter replay interrupted by shutdown", metadata: [
                "replay": "\(id)", "plugin": "\(finished.plugin)", "delivered": "\(finished.delivered)", "failed_again": "\(finished.failedAgain)",
                "not_delivered": "\(finished.notDelivered)", "skipped": "\(finished.skipped)"])
        }
    }

    /// One letter to the plugin, with retries for RETRY as the synchronous path does.
    private func deliver(_ entry: DeadLetterEntry, report: ReplayReport) -> (String, String?) {
        let record = entry.record
        let at = ISO8601DateFormatter().string(from: Date())
        let provenance = ["paka.replay.of": record.id, "paka.replay.at": at, "paka.replay.by": report.requestedBy]
        let payload = Self.envelope(entry.value, adding: provenance)
        var attempt = 1
        while true {
            guard let plugin = registry.active(named: report.plugin) else {
                store.ledger.set(record.id, nil)
                return ("not-delivered", "plugin '\(report.plugin)' is not active (disabled or failed to load)")
            }
            let event = PluginEvent(id: record.eventId ?? record.id, topic: record.topic, key: entry.key, payload: payload,
                                    partition: record.partition ?? -1, offset: record.offset ?? -1, attempt: UInt32(clamping: record.attempts + attempt))
            guard let outcome = plugin.handle([event])?.first else { continue }  // retired by a swap: ask the new version
            logger.info("dead letter replayed", metadata: [
                "plugin": "\(plugin.name)", "version": "\(plugin.descriptor.version)", "event_id": "\(event.id)", "paka.replay.of": "\(record.id)",
                "paka.replay.by": "\(report.requestedBy)", "replay": "\(report.id)", "outcome": "\(outcome)"])
            switch outcome {
            case .ok:
                store.ledger.set(record.id, .replayed)
                return ("delivered", nil)
            case .fail(let reason):
                return deadLetterAgain(entry, payload: payload, plugin: plugin, reason: reason, attempts: record.attempts + attempt, provenance: provenance)
            case .retry(let reason):
                let limit = plugin.entry.retry.maxAttempts ?? 3
                if attempt < limit {
                    Thread.sleep(forTimeInterval: Double(plugin.entry.retry.backoffMs(afterAttempt: attempt)) / 1000)
                    attempt += 1
                } else if plugin.entry.retry.maxAttempts != nil {
                    return deadLetterAgain(entry, payload: payload, plugin: plugin, reason: "gave up after \(attempt) replay attempts: \(reason)",
                                           attempts: record.attempts + attempt, provenance: provenance)
                } else {
                    // An outage never dead-letters: the letter stays as it was, for a later replay.
                    store.ledger.set(record.id, nil)
                    return ("not-delivered", "still asking for a retry after \(attempt) attempts: \(reason)")
                }
            }
        }
    }

    private func deadLetterAgain(_ entry: DeadLetterEntry, payload: [UInt8], plugin: LoadedPlugin, reason: String, attempts: Int,
                                 provenance: [String: String]) -> (String, String?) {
        let record = entry.record
        if let bus, bus.isConnected {
            var letter = DeadLetter(message: KafkaMessage(topic: record.topic, partition: record.partition ?? -1, offset: record.offset ?? -1,
                                                          key: entry.key, value: payload),
                                    error: reason, plugin: plugin.name, pluginVersion: plugin.descriptor.version, attempts: attempts)
            letter.extraHeaders = provenance.sorted { $0.key < $1.key }.map { KafkaHeader(name: $0.key, string: $0.value) }
            do {
                try bus.deadLetter(letter)
                plugin.counters.recordDeadLetter()
            } catch {
                store.ledger.set(record.id, nil)
                return ("not-delivered", "failed again (\(reason)) and the new dead letter could not be written: \(error); the old one stays")
            }
        } else if case .success(let event) = CloudEvent.parse(payload) {
            if case .notKept(let why) = spool.deadLetter(event, plugin: plugin, reason: reason, attempts: attempts,
                                                           provenance: ["replayOf": provenance["paka.replay.of"] ?? "", "replayBy": provenance["paka.replay.by"] ?? ""]) {
                store.ledger.set(record.id, nil)
                return ("not-delivered", "failed again (\(reason)) and the local spool refused the new dead letter: \(why); the old one stays")
            }
        } else {
            store.ledger.set(record.id, nil)
            return ("not-delivered", "failed again (\(reason)); the value is not a CloudEvent, so the old letter stays")
        }
        store.ledger.set(record.id, .failedAgain)
        return ("failed-again", reason)
    }

    /// The envelope with `paka.replay.*` members set (replacing those of an earlier replay).
    static func envelope(_ value: [UInt8], adding provenance: [String: String]) -> [UInt8] {
        guard var object = (try? JSONSerialization.jsonObject(with: Data(value))) as? [String: Any] else { return value }
        object.merge(provenance) { _, new in new }
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])).map(Array.init) ?? value
    }

    private func save(_ report: ReplayReport) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Self.encoder.encode(report).write(to: URL(fileURLWithPath: "\(directory)/\(report.id).json"), options: .atomic)
        } catch {
            logger.error("could not persist the replay report; a restart will not know what it did", metadata: ["replay": "\(report.id)", "error": "\(error)"])
        }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}

import Foundation
import PakaKafka
import PakaPluginHost

/// One replay's letters, delivered in order as a task: pacing and retry backoff are `Task.sleep`,
/// a new dead letter's acknowledgement is awaited without a thread, and every blocking call
/// (the plugin's `handle`, the spool, the report file) goes through the pool.
extension DeadLetterReplayer {
    typealias Delivery = (outcome: ReplayReport.Outcome, reason: String?)

    func deliver(_ entries: [DeadLetterEntry], replay id: String) async {
        guard let start = report(id) else { return }
        let spacing = start.ratePerSecond.map { Duration.seconds(1 / max($0, 0.001)) }
        for (index, entry) in entries.enumerated() {
            var stopped = Task.isCancelled
            if !stopped, index > 0, let spacing {
                do { try await Task.sleep(for: spacing) } catch { stopped = true }  // only a cancellation ends the sleep early
            }
            if stopped {
                for rest in entries[index...] { store.ledger.set(rest.record.id, nil) }
                await pool.run { [self] in _ = finish(id, as: .interrupted) }
                return
            }
            let delivery = await deliver(entry, report: start)
            let updated = reports.withLock { reports -> ReplayReport? in
                guard var report = reports[id], let at = report.items.firstIndex(where: { $0.letter == entry.record.id }) else { return nil }
                report.items[at].outcome = delivery.outcome
                report.items[at].reason = delivery.reason
                report.count()
                reports[id] = report
                return report
            }
            if let updated { await pool.run { [files] in files.save(updated) } }
        }
        await pool.run { [self] in _ = finish(id, as: .done) }
    }

    /// One letter to the plugin, with retries for RETRY as the synchronous path does.
    private func deliver(_ entry: DeadLetterEntry, report: ReplayReport) async -> Delivery {
        let record = entry.record
        let at = ISO8601DateFormatter().string(from: Date())
        let provenance = ["paka.replay.of": record.id, "paka.replay.at": at, "paka.replay.by": report.requestedBy]
        let payload = Self.envelope(entry.value, adding: provenance)
        var attempt = 1
        while true {
            guard let plugin = registry.active(named: report.plugin) else {
                store.ledger.set(record.id, nil)
                return (.notDelivered, "plugin '\(report.plugin)' is not active (disabled or failed to load)")
            }
            let event = PluginEvent(id: record.eventId ?? record.id, topic: record.topic, key: entry.key, payload: payload,
                                    partition: record.partition ?? -1, offset: record.offset ?? -1, attempt: UInt32(clamping: record.attempts + attempt))
            let answers = await pool.run { plugin.handle([event]) }
            guard let outcome = answers?.first else { continue }  // retired by a swap: ask the new version
            logger.info("dead letter replayed", metadata: [
                "plugin": "\(plugin.name)", "version": "\(plugin.descriptor.version)", "event_id": "\(event.id)", "paka.replay.of": "\(record.id)",
                "paka.replay.by": "\(report.requestedBy)", "replay": "\(report.id)", "outcome": "\(outcome)"])
            switch outcome {
            case .ok:
                store.ledger.set(record.id, .replayed)
                return (.delivered, nil)
            case .fail(let reason):
                return await deadLetterAgain(entry, payload: payload, plugin: plugin, reason: reason, attempts: record.attempts + attempt, provenance: provenance)
            case .retry(let reason):
                let limit = plugin.entry.retry.maxAttempts ?? 3
                if attempt < limit {
                    do {
                        try await Task.sleep(for: .milliseconds(plugin.entry.retry.backoffMs(afterAttempt: attempt)))
                    } catch {
                        store.ledger.set(record.id, nil)
                        return (.notDelivered, "the host stopped while the letter waited for its retry (\(reason)); it stays for a later replay")
                    }
                    attempt += 1
                } else if plugin.entry.retry.maxAttempts != nil {
                    return await deadLetterAgain(entry, payload: payload, plugin: plugin, reason: "gave up after \(attempt) replay attempts: \(reason)",
                                                 attempts: record.attempts + attempt, provenance: provenance)
                } else {
                    // An outage never dead-letters: the letter stays as it was, for a later replay.
                    store.ledger.set(record.id, nil)
                    return (.notDelivered, "still asking for a retry after \(attempt) attempts: \(reason)")
                }
            }
        }
    }

    private func deadLetterAgain(_ entry: DeadLetterEntry, payload: [UInt8], plugin: LoadedPlugin, reason: String, attempts: Int,
                                 provenance: [String: String]) async -> Delivery {
        let record = entry.record
        if let bus, bus.isConnected {
            var letter = DeadLetter(message: KafkaMessage(topic: record.topic, partition: record.partition ?? -1, offset: record.offset ?? -1,
                                                          key: entry.key, value: payload),
                                    error: reason, plugin: plugin.name, pluginVersion: plugin.descriptor.version, attempts: attempts)
            letter.extraHeaders = provenance.sorted { $0.key < $1.key }.map { KafkaHeader(name: $0.key, string: $0.value) }
            do {
                try await bus.deadLetter(letter)
                plugin.counters.recordDeadLetter()
            } catch {
                store.ledger.set(record.id, nil)
                return (.notDelivered, "failed again (\(reason)) and the new dead letter could not be written: \(error); the old one stays")
            }
        } else if case .success(let event) = CloudEvent.parse(payload) {
            let origin = ["replayOf": provenance["paka.replay.of"] ?? "", "replayBy": provenance["paka.replay.by"] ?? ""]
            let kept = await pool.run { [spool] in spool.deadLetter(event, plugin: plugin, reason: reason, attempts: attempts, provenance: origin) }
            if case .notKept(let why) = kept {
                store.ledger.set(record.id, nil)
                return (.notDelivered, "failed again (\(reason)) and the local spool refused the new dead letter: \(why); the old one stays")
            }
        } else {
            store.ledger.set(record.id, nil)
            return (.notDelivered, "failed again (\(reason)); the value is not a CloudEvent, so the old letter stays")
        }
        store.ledger.set(record.id, .failedAgain)
        return (.failedAgain, reason)
    }

    /// The envelope with `paka.replay.*` members set (replacing those of an earlier replay).
    static func envelope(_ value: [UInt8], adding provenance: [String: String]) -> [UInt8] {
        // A value that is not a JSON object cannot carry the members: the plugin gets it exactly as
        // it was dead-lettered (and answers for it as it did then), so the parse error is not news.
        guard var object = (try? JSONSerialization.jsonObject(with: Data(value))) as? [String: Any] else { return value }
        object.merge(provenance) { _, new in new }
        do {
            return Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
        } catch {
            // Unreachable for an object that was just parsed from JSON; unchanged beats nothing.
            return value
        }
    }
}

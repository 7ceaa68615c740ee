import Foundation
import PakaKafka
import PakaPluginHost

/// Finds a plugin's dead letters: its topics' `<topic>.dlq` in Kafka (letters carry the plugin
/// in their `paka-plugin` header) and the local spool the synchronous path writes.
///
/// Newest first and bounded: each `.dlq` partition is read backwards in windows from its end,
/// stopping at the page size, at `since`, or after `scanBudget` messages (then `truncated`), so
/// a listing costs the same on a DLQ of millions as on a small one.
package final class DeadLetterStore: Sendable {
    static let window: Int64 = 500
    static let scanBudget = 50_000
    static let readTimeout = Duration.seconds(5)

    private let makeReader: (@Sendable () throws(KafkaError) -> KafkaTopicReader)?
    private let kafkaConnected: @Sendable () -> Bool
    private let spool: LocalSpool
    let ledger: ReplayLedger

    /// - Parameter makeReader: nil without Kafka (the spool only).
    package init(makeReader: (@Sendable () throws(KafkaError) -> KafkaTopicReader)?, kafkaConnected: @escaping @Sendable () -> Bool,
         spool: LocalSpool, ledger: ReplayLedger) {
        self.makeReader = makeReader
        self.kafkaConnected = kafkaConnected
        self.spool = spool
        self.ledger = ledger
    }

    private struct SourceScan {
        var source: String
        var bound: Int64
        var found: [DeadLetterEntry] = []
        var exhausted = false
    }

    package func page(plugin: String, topics: [String], query: DeadLetterQuery) throws(DeadLetterError) -> (entries: [DeadLetterEntry], page: DeadLetterPage) {
        let cursor = try Self.decodeCursor(query.cursor)
        var scans: [SourceScan] = []
        var scanned = 0
        var truncated = false
        var unavailable: String?
        var reader: KafkaTopicReader?
        if let makeReader {
            if !kafkaConnected() {
                unavailable = "Kafka is not connected: only the local spool was read"
            } else {
                do { reader = try makeReader() } catch { unavailable = DeadLetterError.kafka(error).description }
            }
        }
        for topic in topics {
            if let reader {
                do throws(DeadLetterError) {
                    scans += try scanKafka(topic: topic, plugin: plugin, reader: reader, query: query, cursor: cursor, scanned: &scanned, truncated: &truncated)
                } catch {
                    unavailable = error.description
                }
            }
            scans.append(scanSpool(topic: topic, plugin: plugin, query: query, cursor: cursor, scanned: &scanned))
        }
        let all = scans.flatMap(\.found).sorted { ($0.record.time, $0.record.id) > ($1.record.time, $1.record.id) }
        let taken = Array(all.prefix(query.limit))
        var next: [String: Int64] = [:]
        var more = false
        for scan in scans {
            let mine = taken.filter { $0.source == scan.source }
            next[scan.source] = mine.map(\.position).min() ?? scan.bound
            if mine.count < scan.found.count || !scan.exhausted { more = true }
        }
        let page = DeadLetterPage(letters: taken.map(\.record), nextCursor: more ? Self.encodeCursor(next) : nil, scanned: scanned, truncated: truncated,
                                  kafkaUnavailable: unavailable)
        return (taken, page)
    }

    private func scanKafka(topic: String, plugin: String, reader: KafkaTopicReader, query: DeadLetterQuery, cursor: [String: Int64],
                           scanned: inout Int, truncated: inout Bool) throws(DeadLetterError) -> [SourceScan] {
        let dlq = Topics.deadLetter(of: topic)
        let partitions: [Int32]
        do { partitions = try reader.partitions(of: dlq, timeout: Self.readTimeout) } catch { throw .kafka(error) }
        var scans: [SourceScan] = []
        for partition in partitions {
            let marks: (low: Int64, high: Int64)
            do { marks = try reader.watermarks(topic: dlq, partition: partition, timeout: Self.readTimeout) } catch { throw .kafka(error) }
            let source = "\(dlq):\(partition)"
            var scan = SourceScan(source: source, bound: min(cursor[source] ?? marks.high, marks.high))
            var upper = scan.bound
            var olderThanWanted = false
            while scan.found.count < query.limit, upper > marks.low, !olderThanWanted {
                if scanned >= Self.scanBudget { truncated = true; break }
                let from = max(marks.low, upper - Self.window)
                let messages = reader.read(topic: dlq, partition: partition, from: from, until: upper, timeout: Self.readTimeout)
                scanned += messages.count
                for message in messages.reversed() {
                    guard let entry = decode(message, plugin: plugin) else { continue }
                    // A partition is written in time order: past `since`, everything older is too.
                    if let since = query.since, entry.record.time < since { olderThanWanted = true; break }
                    if query.matches(entry.record) { scan.found.append(entry) }
                }
                upper = from
            }
            scan.exhausted = upper <= marks.low || olderThanWanted
            scans.append(scan)
        }
        return scans
    }

    private func decode(_ message: KafkaMessage, plugin: String) -> DeadLetterEntry? {
        func header(_ name: String) -> String? { message.header(named: name)?.value.map { String(decoding: $0, as: UTF8.self) } }
        guard header("paka-plugin") == plugin else { return nil }
        let id = "\(message.topic):\(message.partition):\(message.offset)"
        // A letter whose value is not an envelope is still listed (that may be why it was
        // dead-lettered); it just has no event id.
        let eventId = try? CloudEvent.requiredAttributes(of: message.value).get().id
        let record = DeadLetterRecord(
            id: id, eventId: eventId, topic: header("paka-original-topic") ?? String(message.topic.dropLast(4)),
            partition: header("paka-original-partition").flatMap { Int32($0) }, offset: header("paka-original-offset").flatMap { Int64($0) },
            time: message.timestamp.map { Date(timeIntervalSince1970: Double($0) / 1000) } ?? Date(timeIntervalSince1970: 0),
            attempts: header("paka-attempts").flatMap { Int($0) } ?? 1, reason: header("paka-error") ?? "",
            pluginVersion: header("paka-plugin-version"), source: "kafka", replayOf: header("paka.replay.of"), replayBy: header("paka.replay.by"),
            state: ledger.state(of: id))
        return DeadLetterEntry(record: record, key: message.key ?? [], value: message.value, source: "\(message.topic):\(message.partition)", position: message.offset,
                               headers: message.headers.map { ($0.name, $0.value.map { String(decoding: $0, as: UTF8.self) } ?? "") })
    }

    private func scanSpool(topic: String, plugin: String, query: DeadLetterQuery, cursor: [String: Int64], scanned: inout Int) -> SourceScan {
        let source = "spool:\(topic)"
        let lines = FileManager.default.contents(atPath: spool.deadLetterPath(for: topic))
            .map { $0.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) } ?? []
        var scan = SourceScan(source: source, bound: min(cursor[source] ?? Int64(lines.count), Int64(lines.count)))
        var index = Int(scan.bound) - 1
        var olderThanWanted = false
        while index >= 0, scan.found.count < query.limit {
            defer { index -= 1 }
            scanned += 1
            // A torn last line (the host died mid-write) or a foreign line is not a letter: skipped,
            // as it was skipped when it was written; the spool's own write errors are counted there.
            guard let object = (try? JSONSerialization.jsonObject(with: Data(lines[index]))) as? [String: Any],
                  object["plugin"] as? String == plugin else { continue }
            let event = object["event"] as? [String: Any] ?? [:]
            // Re-serialising what was just parsed cannot fail.
            let value = (try? JSONSerialization.data(withJSONObject: event, options: [.sortedKeys])).map(Array.init) ?? []
            let id = "spool:\(topic):\(index)"
            let record = DeadLetterRecord(
                id: id, eventId: event["id"] as? String, topic: object["originalTopic"] as? String ?? topic, partition: nil, offset: nil,
                time: (object["storedAt"] as? String).flatMap(ISO8601DateFormatter.flexible) ?? Date(timeIntervalSince1970: 0),
                attempts: object["attempts"] as? Int ?? 1, reason: object["error"] as? String ?? "", pluginVersion: object["pluginVersion"] as? String,
                source: "spool", replayOf: object["replayOf"] as? String, replayBy: object["replayBy"] as? String, state: ledger.state(of: id))
            if let since = query.since, record.time < since { olderThanWanted = true; break }
            if query.matches(record) {
                let fields = object.filter { $0.key != "event" }.sorted { $0.key < $1.key }.map { ($0.key, "\($0.value)") }
                scan.found.append(DeadLetterEntry(record: record, key: Array((event["subject"] as? String ?? "").utf8), value: value,
                                                  source: source, position: Int64(index), headers: fields))
            }
        }
        scan.exhausted = index < 0 || olderThanWanted
        return scan
    }

    static func encodeCursor(_ bounds: [String: Int64]) -> String {
        // A dictionary of strings to integers always serialises.
        let data = (try? JSONSerialization.data(withJSONObject: bounds, options: [.sortedKeys])) ?? Data()
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func decodeCursor(_ text: String?) throws(DeadLetterError) -> [String: Int64] {
        guard let text, !text.isEmpty else { return [:] }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        // Any parse failure means the client changed the cursor; the error below says so.
        guard let data = Data(base64Encoded: base64), let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw .invalid("'cursor' is not a cursor this host returned (pass nextCursor from the previous page unchanged)")
        }
        return object.compactMapValues { ($0 as? NSNumber)?.int64Value }
    }
}

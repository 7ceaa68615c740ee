import CPakaIsolation
import Foundation
import Synchronization

/// In-process protection: before each `handle` the batch in flight is written to a small file
/// mapped into memory (`<PAKA_DATA_DIR>/plugins/.crash-journal/<plugin>.<slot>.inflight`), so it
/// survives the host dying in the plugin; a fatal-signal handler also prints it to stderr.
///
/// When the host starts again, every event found in flight has one more crash on record
/// (`<plugin>.crashes.json`). Such an event is handed to the plugin alone; once it was in
/// flight at `crash.maxAttempts` crashes, the last one alone, it is answered FAIL with a crash
/// verdict instead (dead-lettered). A poison event costs at most that many host restarts.
final class CrashJournal: Sendable {
    struct Record: Codable, Equatable {
        var crashes: Int
        /// The last crash happened with this event alone in flight: it is the crasher.
        var lastAlone: Bool
        /// The fatal signal, 0 when none was recorded (SIGKILL, power loss).
        var signal: Int32
    }

    private struct State {
        var free: [Int32] = []
        var slots = 0
        var records: [String: Record]
    }

    let plugin: String
    private let folder: String
    /// Suspects (events with a crash on record) run with nothing else of the plugin in flight.
    private let suspects = SuspectGate()
    /// Set once a batch ran without a slot (all taken), so the warning is logged once.
    private let warnedNoSlot = Atomic<Bool>(false)
    private let services: any PluginHostServices
    private let state: Mutex<State>
    private static let slotBytes = 64 << 10
    private static let journals = Mutex<[String: CrashJournal]>([:])

    /// The journal of `plugin` for this process: opened (and the last run's crash read) once.
    static func shared(plugin: String, folder: String, services: any PluginHostServices) -> CrashJournal {
        journals.withLock { journals in
            if let journal = journals[plugin] { return journal }
            let journal = CrashJournal(plugin: plugin, folder: folder, services: services)
            journals[plugin] = journal
            return journal
        }
    }

    private init(plugin: String, folder: String, services: any PluginHostServices) {
        self.plugin = plugin
        self.folder = folder
        self.services = services
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            services.log(from: plugin, level: .error, message: "crash journal folder \(folder) could not be made (\(error)): "
                + "a host crash while this plugin handles events will not be remembered at the next start")
        }
        var records: [String: Record] = [:]
        if let data = FileManager.default.contents(atPath: Self.recordFile(folder: folder, plugin: plugin)) {
            do {
                records = try JSONDecoder().decode([String: Record].self, from: data)
            } catch {
                services.log(from: plugin, level: .warning, message: "crash records in \(Self.recordFile(folder: folder, plugin: plugin)) "
                    + "are unreadable (\(error)); starting with none, they are rewritten at the next crash")
            }
        }
        let found = Self.readInFlight(folder: folder, plugin: plugin)
        // Alone means the only event of this plugin in flight when the host died, over all its
        // slots: with lanes, a batch of one in one slot ran beside the batches in the others.
        let inFlightAtDeath = found.reduce(0) { $0 + $1.0.count }
        for (keys, signal) in found {
            for key in keys {
                var record = records[key] ?? Record(crashes: 0, lastAlone: false, signal: 0)
                record.crashes += 1
                record.lastAlone = inFlightAtDeath == 1
                record.signal = signal
                records[key] = record
            }
            services.log(from: plugin, level: .error, message:
                "the host died while this plugin handled \(keys.count) event(s) (\(signal > 0 ? WorkerExit.signalName(signal) : "no signal recorded")): "
                + "\(keys.prefix(5).joined(separator: " "))\(keys.count > 5 ? " …" : ""); they are handed over one at a time, "
                + "and an event in flight at crash.maxAttempts crashes is dead-lettered")
        }
        state = Mutex(State(records: records))
        if !found.isEmpty { persist(records) }
        paka_journal_install_signal_handlers()
    }

    /// The batches a previous process had in flight when it died: their keys and signal.
    private static func readInFlight(folder: String, plugin: String) -> [([String], Int32)] {
        // No folder (its creation failure is logged in init) means no batch was on record.
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return files.filter { $0.hasPrefix("\(plugin).") && $0.hasSuffix(".inflight") }.sorted().compactMap { name in
            // Read once: the file is removed so that the next start does not count this crash again.
            let data = FileManager.default.contents(atPath: "\(folder)/\(name)")
            unlink("\(folder)/\(name)")
            guard let data, data.count >= 24,
                  data.prefix(8).elementsEqual("PAKAJRN1".utf8) else { return nil }
            let bytes = Array(data)
            let length = bytes[8..<16].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let signal = Int32(bitPattern: bytes[16..<20].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            guard length > 0, length <= UInt64(bytes.count - 24) else { return nil }
            let line = String(decoding: bytes[24..<(24 + Int(length))], as: UTF8.self)
            // "plugin <name>: <n> event(s): key key …"; a truncated last key is dropped.
            let parts = line.split(separator: " ").map(String.init)
            guard let count = parts.count > 2 ? Int(parts[2]) : nil else { return nil }
            let keys = Array(parts.dropFirst(4).prefix(count))
            return keys.isEmpty ? nil : (keys, signal)
        }
    }

    /// `topic/partition/offset/id`, with `%`, space and newline escaped (the line is split on spaces).
    static func key(_ event: PluginEvent) -> String {
        var bytes: [UInt8] = []
        appendKey(event, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Runs for every event of every batch: text without a byte to escape (the usual case) is
    /// copied in one go, numbers are written through a small stack buffer (no array per digit run).
    static func appendKey(_ event: PluginEvent, to line: inout [UInt8]) {
        func escaped(_ text: String) {
            let copied = text.utf8.withContiguousStorageIfAvailable { utf8 -> Bool in
                guard !utf8.contains(where: { $0 == 0x25 || $0 == 0x20 || $0 == 0x0A }) else { return false }
                line.append(contentsOf: utf8)
                return true
            }
            guard copied != true else { return }
            for byte in text.utf8 {
                switch byte {
                case 0x25: line += [0x25, 0x32, 0x35]  // %25
                case 0x20: line += [0x25, 0x32, 0x30]  // %20
                case 0x0A: line += [0x25, 0x30, 0x41]  // %0A
                default: line.append(byte)
                }
            }
        }
        func number(_ value: Int64) {
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
                var magnitude = value.magnitude
                var start = digits.count
                repeat {
                    start -= 1
                    digits[start] = 0x30 + UInt8(magnitude % 10)
                    magnitude /= 10
                } while magnitude > 0
                if value < 0 { line.append(0x2D) }
                line.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
            }
        }
        escaped(event.topic)
        line.append(0x2F)
        number(Int64(event.partition))
        line.append(0x2F)
        number(event.offset)
        line.append(0x2F)
        escaped(event.id)
    }

    /// Hands `events` to `call` with the batch on record while it runs; events with crashes on
    /// record go one at a time, each with nothing else of the plugin in flight (``SuspectGate``),
    /// and a condemned one is answered FAIL with its verdict.
    func handle(_ events: [PluginEvent], policy: CrashPolicy, tracker: CrashTracker, call: ([PluginEvent]) -> [EventOutcome]) -> [EventOutcome] {
        // Hook records (CrashJournal+Hooks.swift) concern no event: without event records, the
        // fast path. Records only go away while the host runs, so no suspect is in flight then.
        guard state.withLock({ $0.records.keys.contains { !Self.isHookKey($0) } }) else { return journaled(events, call) }
        let keys = events.map(Self.key)
        let known = state.withLock { state in state.records.filter { keys.contains($0.key) } }
        guard !known.isEmpty else { return suspects.alongside { journaled(events, call) } }
        var outcomes: [EventOutcome] = []
        outcomes.reserveCapacity(events.count)
        for (event, key) in zip(events, keys) {
            if let record = known[key], record.crashes >= policy.maxAttempts, record.lastAlone {
                let report = CrashReport(plugin: plugin, exit: WorkerExit(record.signal > 0 ? .signal(record.signal) : .processDied), attempts: record.crashes)
                tracker.noteVerdict(report, for: event)
                outcomes.append(.fail(report.message))
            } else if known[key] != nil {
                outcomes.append(suspects.alone { journaled([event], call) }.first ?? .retry("plugin returned no result"))
            } else {
                outcomes.append(suspects.alongside { journaled([event], call) }.first ?? .retry("plugin returned no result"))
            }
            if known[key] != nil { forget(key) }
        }
        return outcomes
    }

    private func journaled(_ events: [PluginEvent], _ call: ([PluginEvent]) -> [EventOutcome]) -> [EventOutcome] {
        var line = Array("plugin \(plugin): \(events.count) event(s):".utf8)
        line.reserveCapacity(line.count + events.count * 64)
        for index in events.indices {
            line.append(0x20)
            Self.appendKey(events[index], to: &line)
            if line.count >= Self.slotBytes { break }  // the slot keeps what fits
        }
        return onRecord(line) { call(events) }
    }

    /// Runs `body` with `line` in a journal slot: a host dying meanwhile leaves it for the next start.
    func onRecord<T, E: Error>(_ line: [UInt8], _ body: () throws(E) -> T) throws(E) -> T {
        let slot = takeSlot()
        line.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { paka_journal_begin(slot, $0.baseAddress, $0.count) }
        }
        defer {
            paka_journal_end(slot)
            giveBack(slot)
        }
        return try body()
    }

    private func takeSlot() -> Int32 {
        let slot = state.withLock { state in
            if let slot = state.free.popLast() { return slot }
            state.slots += 1
            return Self.openSlot("\(folder)/\(plugin).\(state.slots).inflight")
        }
        if slot < 0, !warnedNoSlot.exchange(true, ordering: .relaxed) {
            services.log(from: plugin, level: .error, message: "no crash journal slot could be opened in \(folder) (folder not writable, "
                + "or more than 1024 calls in flight in this process): a host crash during such a call is not remembered at the next start")
        }
        return slot
    }

    private func giveBack(_ slot: Int32) {
        guard slot >= 0 else { return }
        state.withLock { $0.free.append(slot) }
    }

    /// C slots are process-wide and few: opening one is serialised.
    private static let opening = Mutex(())
    private static func openSlot(_ path: String) -> Int32 {
        opening.withLock { _ in paka_journal_open(path, slotBytes) }
    }

    func record(_ key: String) -> Record? { state.withLock { $0.records[key] } }

    func forget(_ key: String) {
        let records = state.withLock { state -> [String: Record] in
            state.records[key] = nil
            return state.records
        }
        persist(records)
    }

    /// Where the crash records are kept (also named in messages that say how to start over).
    var recordFile: String { Self.recordFile(folder: folder, plugin: plugin) }

    private static func recordFile(folder: String, plugin: String) -> String { "\(folder)/\(plugin).crashes.json" }

    private func persist(_ records: [String: Record]) {
        let path = recordFile
        // Strings and integers only: encoding cannot fail.
        guard let data = try? JSONEncoder().encode(records) else { return }
        let temporary = "\(path).tmp"
        if FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]) {
            rename(temporary, path)
        }
    }
}

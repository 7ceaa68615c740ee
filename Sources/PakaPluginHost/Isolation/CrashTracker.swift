import Foundation
import Synchronization

/// One plugin version's crash state, shared by its instances (workers): the run of crashes
/// without progress that decides state `crashed`, the last crash for `GET /plugins`, and the
/// verdicts waiting for the consumer to dead-letter them.
public final class CrashTracker: Sendable {
    struct State {
        var consecutive = 0
        var crashed = false
        var last: CrashSummary?
        var restarts = 0
        /// Events judged poison, until the consumer loop writes their dead letter.
        var verdicts: [String: CrashReport] = [:]
    }

    let plugin: String
    let policy: CrashPolicy
    private let state = Mutex(State())

    init(plugin: String, policy: CrashPolicy) {
        self.plugin = plugin
        self.policy = policy
    }

    /// Records a crash; true when it puts the plugin in state `crashed` (a storm).
    @discardableResult
    func recordCrash(_ exit: WorkerExit, during: String) -> Bool {
        CrashStatistics.shared.recordCrash(plugin: plugin, reason: exit.reasonLabel)
        return state.withLock { state in
            state.consecutive += 1
            state.last = CrashSummary(reason: exit.description, during: during, at: Date(), consecutive: state.consecutive)
            if state.consecutive >= policy.maxCrashesWithoutProgress { state.crashed = true }
            return state.crashed
        }
    }

    /// A call answered: the run of crashes is over.
    func recordProgress() {
        state.withLock { if $0.consecutive != 0 { $0.consecutive = 0 } }
    }

    func recordRestart() {
        CrashStatistics.shared.recordRestart(plugin: plugin)
        state.withLock { $0.restarts += 1 }
    }

    /// Crashes in a row so far (decides the restart backoff).
    var consecutiveCrashes: Int { state.withLock { $0.consecutive } }

    public var isCrashed: Bool { state.withLock { $0.crashed } }
    public var lastCrash: CrashSummary? { state.withLock { $0.last } }
    public var restarts: Int { state.withLock { $0.restarts } }

    /// `POST /plugins/{name}/restart`: leave state `crashed`; the next call starts a worker.
    func clearCrashed() {
        state.withLock {
            $0.crashed = false
            $0.consecutive = 0
        }
    }

    static func key(topic: String, partition: Int32, offset: Int64, id: String) -> String { "\(topic)/\(partition)/\(offset)/\(id)" }

    func noteVerdict(_ report: CrashReport, for event: PluginEvent) {
        let key = Self.key(topic: event.topic, partition: event.partition, offset: event.offset, id: event.id)
        state.withLock { $0.verdicts[key] = report }
    }

    /// The crash that condemned this event, if it was one.
    package func verdict(topic: String, partition: Int32, offset: Int64, id: String) -> CrashReport? {
        let key = Self.key(topic: topic, partition: partition, offset: offset, id: id)
        return state.withLock { $0.verdicts[key] }
    }

    /// Its dead letter is written: the verdict is done with.
    package func settleVerdict(topic: String, partition: Int32, offset: Int64, id: String) {
        let key = Self.key(topic: topic, partition: partition, offset: offset, id: id)
        state.withLock { _ = $0.verdicts.removeValue(forKey: key) }
    }
}

/// Process-wide crash and restart counts for `/metrics` (they outlive plugin versions).
public final class CrashStatistics: Sendable {
    public static let shared = CrashStatistics()
    private let counts = Mutex<(crashes: [String: [String: Int]], restarts: [String: Int])>(([:], [:]))

    func recordCrash(plugin: String, reason: String) { counts.withLock { $0.crashes[plugin, default: [:]][reason, default: 0] += 1 } }
    func recordRestart(plugin: String) { counts.withLock { $0.restarts[plugin, default: 0] += 1 } }

    public func crashes(plugin: String, reason: String) -> Int { counts.withLock { $0.crashes[plugin]?[reason] ?? 0 } }
    public func restarts(plugin: String) -> Int { counts.withLock { $0.restarts[plugin] ?? 0 } }

    /// Prometheus text for both families.
    public func render() -> String {
        let (crashes, restarts) = counts.withLock { ($0.crashes, $0.restarts) }
        var text = "# HELP paka_plugin_crashes_total Plugin crashes (signal, exit, timeout) by plugin and reason.\n# TYPE paka_plugin_crashes_total counter\n"
        for plugin in crashes.keys.sorted() {
            for (reason, count) in (crashes[plugin] ?? [:]).sorted(by: { $0.key < $1.key }) {
                text += "paka_plugin_crashes_total{plugin=\"\(plugin)\",reason=\"\(reason)\"} \(count)\n"
            }
        }
        text += "# HELP paka_plugin_worker_restarts_total Worker processes started again after a crash.\n# TYPE paka_plugin_worker_restarts_total counter\n"
        for (plugin, count) in restarts.sorted(by: { $0.key < $1.key }) {
            text += "paka_plugin_worker_restarts_total{plugin=\"\(plugin)\"} \(count)\n"
        }
        return text
    }
}

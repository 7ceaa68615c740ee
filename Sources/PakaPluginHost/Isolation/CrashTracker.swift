import CoreMetrics
import Foundation
import Synchronization

/// One plugin version's crash state, shared by its instances (workers): the run of crashes
/// without progress that decides state `crashed`, the last crash and the newest crashes and
/// restarts for `GET /plugins`, and the verdicts waiting for the consumer to dead-letter them.
public final class CrashTracker: Sendable {
    struct State {
        var consecutive = 0
        var crashed = false
        var last: CrashSummary?
        var restarts = 0
        /// Oldest first, at most `historyLimit`.
        var history: [CrashEvent] = []
        /// Events judged poison, until the consumer loop writes their dead letter.
        var verdicts: [String: CrashReport] = [:]
    }

    /// Crashes and restarts kept per version: enough to see a pattern over an incident, bounded
    /// because a crash loop restarts a worker many times a minute for as long as it lasts.
    public static let historyLimit = 50

    let plugin: String
    let policy: CrashPolicy
    private let state = Mutex(State())
    /// Crash and restart counts by plugin go to the host's metrics: they outlive versions
    /// (`paka_plugin_crashes_total{plugin,reason}`, `paka_plugin_worker_restarts_total{plugin}`).
    private let metrics: any MetricsFactory

    init(plugin: String, policy: CrashPolicy, metrics: any MetricsFactory) {
        self.plugin = plugin
        self.policy = policy
        self.metrics = metrics
    }

    /// Records a crash; true when it puts the plugin in state `crashed` (a storm).
    ///
    /// - Parameter eventId: the event the worker was handling alone, if it was.
    @discardableResult
    func recordCrash(_ exit: WorkerExit, during: String, eventId: String? = nil) -> Bool {
        Counter(label: "paka_plugin_crashes_total", dimensions: [("plugin", plugin), ("reason", exit.reasonLabel)], factory: metrics).increment()
        return state.withLock { state in
            state.consecutive += 1
            let now = Date()
            state.last = CrashSummary(reason: exit.description, during: during, at: now, consecutive: state.consecutive)
            Self.append(CrashEvent(kind: .crash, at: now, reason: exit.description, signal: exit.signalName, during: during, eventId: eventId,
                                   consecutive: state.consecutive), to: &state.history)
            if state.consecutive >= policy.maxCrashesWithoutProgress { state.crashed = true }
            return state.crashed
        }
    }

    /// A call answered: the run of crashes is over.
    func recordProgress() {
        state.withLock { if $0.consecutive != 0 { $0.consecutive = 0 } }
    }

    func recordRestart() {
        Counter(label: "paka_plugin_worker_restarts_total", dimensions: [("plugin", plugin)], factory: metrics).increment()
        state.withLock { state in
            state.restarts += 1
            let after = state.last.map { "after \($0.reason) in \($0.during)" } ?? "after a crash"
            Self.append(CrashEvent(kind: .restart, reason: "worker started again \(after)"), to: &state.history)
        }
    }

    private static func append(_ event: CrashEvent, to history: inout [CrashEvent]) {
        history.append(event)
        if history.count > historyLimit { history.removeFirst(history.count - historyLimit) }
    }

    /// Crashes in a row so far (decides the restart backoff).
    var consecutiveCrashes: Int { state.withLock { $0.consecutive } }

    public var isCrashed: Bool { state.withLock { $0.crashed } }
    public var lastCrash: CrashSummary? { state.withLock { $0.last } }
    public var restarts: Int { state.withLock { $0.restarts } }
    /// The newest crashes and restarts of this version, oldest first.
    public var history: [CrashEvent] { state.withLock { $0.history } }

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

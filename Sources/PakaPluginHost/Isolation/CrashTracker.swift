import CoreMetrics
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
    /// Crash and restart counts by plugin go to the host's metrics: they outlive versions
    /// (`paka_plugin_crashes_total{plugin,reason}`, `paka_plugin_worker_restarts_total{plugin}`).
    private let metrics: any MetricsFactory

    init(plugin: String, policy: CrashPolicy, metrics: any MetricsFactory) {
        self.plugin = plugin
        self.policy = policy
        self.metrics = metrics
    }

    /// Records a crash; true when it puts the plugin in state `crashed` (a storm).
    @discardableResult
    func recordCrash(_ exit: WorkerExit, during: String) -> Bool {
        Counter(label: "paka_plugin_crashes_total", dimensions: [("plugin", plugin), ("reason", exit.reasonLabel)], factory: metrics).increment()
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
        Counter(label: "paka_plugin_worker_restarts_total", dimensions: [("plugin", plugin)], factory: metrics).increment()
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

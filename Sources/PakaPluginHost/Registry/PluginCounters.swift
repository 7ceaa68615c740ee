import CoreMetrics
import Synchronization

/// Per-version counters: read by `GET /plugins` (this version's own counts), and recorded at
/// the same time into the host's metrics (`paka_plugin_events_*_total{plugin,version}`).
public final class PluginCounters: Sendable {
    let handled = Atomic<Int>(0)
    let retried = Atomic<Int>(0)
    let failed = Atomic<Int>(0)
    let deadLettered = Atomic<Int>(0)
    private let lastErrorBox = Mutex<String?>(nil)
    private let exported: Exported

    /// The same counts in swift-metrics, made at load so every family shows from the start (0).
    private struct Exported: Sendable {
        let handled, retried, failed, deadLettered: CoreMetrics.Counter

        init(plugin: String, version: String, metrics: any MetricsFactory) {
            let labels = [("plugin", plugin), ("version", version)]
            handled = Counter(label: "paka_plugin_events_handled_total", dimensions: labels, factory: metrics)
            retried = Counter(label: "paka_plugin_events_retried_total", dimensions: labels, factory: metrics)
            failed = Counter(label: "paka_plugin_events_failed_total", dimensions: labels, factory: metrics)
            deadLettered = Counter(label: "paka_plugin_events_dead_lettered_total", dimensions: labels, factory: metrics)
        }
    }

    init(plugin: String, version: String, metrics: any MetricsFactory) {
        exported = Exported(plugin: plugin, version: version, metrics: metrics)
    }

    public struct Snapshot: Sendable, Equatable, Codable {
        public var handled, retried, failed, deadLettered: Int
        public var lastError: String?

        public init(handled: Int, retried: Int, failed: Int, deadLettered: Int, lastError: String?) {
            self.handled = handled
            self.retried = retried
            self.failed = failed
            self.deadLettered = deadLettered
            self.lastError = lastError
        }
    }

    func record(_ outcomes: [EventOutcome]) {
        var ok = 0, retry = 0, fail = 0
        var last: String?
        for outcome in outcomes {
            switch outcome {
            case .ok: ok += 1
            case .retry(let m): retry += 1; last = m
            case .fail(let m): fail += 1; last = m
            }
        }
        if ok > 0 { handled.add(ok, ordering: .relaxed); exported.handled.increment(by: ok) }
        if retry > 0 { retried.add(retry, ordering: .relaxed); exported.retried.increment(by: retry) }
        if fail > 0 { failed.add(fail, ordering: .relaxed); exported.failed.increment(by: fail) }
        if let last { lastErrorBox.withLock { $0 = last } }
    }

    public func recordDeadLetter() {
        deadLettered.add(1, ordering: .relaxed)
        exported.deadLettered.increment()
    }

    public var snapshot: Snapshot {
        Snapshot(handled: handled.load(ordering: .relaxed), retried: retried.load(ordering: .relaxed),
                 failed: failed.load(ordering: .relaxed), deadLettered: deadLettered.load(ordering: .relaxed),
                 lastError: lastErrorBox.withLock { $0 })
    }
}

import CoreMetrics
import Synchronization

/// What retired versions' `flush` answered, per plugin: a FAIL (or a RETRY still pending when
/// the bounded wait ended) means the version was destroyed with work it had not finished.
/// Counted here for tests and recorded into the host's metrics (`paka_plugin_flushes_total`).
public final class FlushCounters: Sendable {
    public struct Counts: Sendable, Equatable {
        public var succeeded = 0
        public var failed = 0
    }

    private let counts = Mutex<[String: Counts]>([:])
    private let metrics: any MetricsFactory

    public init(metrics: any MetricsFactory = NOOPMetricsHandler.instance) {
        self.metrics = metrics
    }

    func record(plugin: String, succeeded: Bool) {
        counts.withLock { counts in
            if succeeded { counts[plugin, default: Counts()].succeeded += 1 } else { counts[plugin, default: Counts()].failed += 1 }
        }
        Counter(label: "paka_plugin_flushes_total", dimensions: [("plugin", plugin), ("result", succeeded ? "ok" : "failed")], factory: metrics).increment()
    }

    public var snapshot: [String: Counts] { counts.withLock { $0 } }
}

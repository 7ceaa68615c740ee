import CoreMetrics
import PakaPluginHost
import Synchronization

/// What the local spool could not do: writes the disk refused, lines kept only in memory
/// meanwhile, and events neither written nor held (their request was answered 503). Kept here
/// for tests and recorded into the host's metrics (`paka_spool_*`), made at start so they show 0.
public final class SpoolCounters: Sendable {
    private let failures = Atomic<Int>(0)
    private let refused = Atomic<Int>(0)
    private let heldNow = Atomic<Int>(0)
    private let writeFailures: CoreMetrics.Counter
    private let notKept: CoreMetrics.Counter
    private let held: Gauge

    public init(metrics: any MetricsFactory = NOOPMetricsHandler.instance) {
        writeFailures = Counter(label: "paka_spool_write_failures_total", factory: metrics)
        notKept = Counter(label: "paka_spool_not_kept_total", factory: metrics)
        held = Gauge(label: "paka_spool_held_lines", factory: metrics)
        held.record(0)
    }

    public struct Snapshot: Sendable, Equatable {
        public var writeFailures: Int
        public var heldInMemory: Int
        public var notKept: Int
    }

    public var snapshot: Snapshot {
        Snapshot(writeFailures: failures.load(ordering: .relaxed), heldInMemory: heldNow.load(ordering: .relaxed),
                 notKept: refused.load(ordering: .relaxed))
    }

    func recordWriteFailure() {
        failures.add(1, ordering: .relaxed)
        writeFailures.increment()
    }

    func recordNotKept() {
        refused.add(1, ordering: .relaxed)
        notKept.increment()
    }

    func setHeld(_ count: Int) {
        heldNow.store(count, ordering: .relaxed)
        held.record(count)
    }
}

import PakaPipeline
import PakaPluginHost
import Synchronization

/// The open HTTP connections of one server, shared by every connection's `ConnectionGuard`.
final class ConnectionCounter: Sendable {
    let limits: HTTPLimits
    let metrics: PakaMetrics
    private let open = Atomic<Int>(0)

    init(limits: HTTPLimits, metrics: PakaMetrics) {
        self.limits = limits
        self.metrics = metrics
    }

    /// Counts a new connection; false when it is one too many (it must still call `closed()`).
    func opened() -> Bool {
        let now = open.wrappingAdd(1, ordering: .relaxed).newValue
        metrics.openConnections(now)
        return now <= limits.maximumConnections
    }

    func closed() {
        metrics.openConnections(open.wrappingSubtract(1, ordering: .relaxed).newValue)
    }
}

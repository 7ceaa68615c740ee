import Dispatch
import Synchronization

/// Re-publishes the events the synchronous fallback deferred, once Kafka is connected again.
final class DeferredReplay: Sendable {
    private let busBox = Mutex<KafkaBus?>(nil)

    /// Set right after the bus exists (the bus's connection callback owns this object).
    var bus: KafkaBus? {
        get { busBox.withLock { $0 } }
        set { busBox.withLock { $0 = newValue } }
    }

    func run(_ spool: LocalSpool) {
        guard let bus else { return }
        spool.replayDeferred { event in
            let done = DispatchSemaphore(value: 0)
            let delivered = Atomic<Bool>(false)
            Task {
                do {
                    try await bus.produce(event)
                    delivered.store(true, ordering: .releasing)
                } catch {}
                done.signal()
            }
            done.wait()
            return delivered.load(ordering: .acquiring)
        }
    }
}

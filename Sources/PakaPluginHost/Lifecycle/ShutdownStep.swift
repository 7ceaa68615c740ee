import Logging
import ServiceLifecycle

/// A piece of the host that has nothing to do until the host stops, then one blocking step:
/// the producer's flush, the plugins' drain (flush, destroy), the embedded cluster's end.
///
/// A `Service` so that the one `ServiceGroup` orders it with the others: the group stops services
/// in reverse start order and waits for each, so where a step sits in the list decides what has
/// stopped before it runs (docs/architecture.md, "Structured tasks"). The step blocks, so it
/// runs on the `BlockingPool`, never on the cooperative pool.
package struct ShutdownStep: Service {
    package let name: String
    private let pool: BlockingPool
    private let journal: ShutdownJournal?
    private let logger: Logger
    private let step: @Sendable () -> Void

    /// - Parameters:
    ///   - name: what the step stops, for the log and the journal ("producer flush").
    ///   - journal: records the thread each step ran on (tests check none is cooperative).
    package init(_ name: String, pool: BlockingPool = .shared, journal: ShutdownJournal? = nil, logger: Logger,
                 step: @escaping @Sendable () -> Void) {
        self.name = name
        self.pool = pool
        self.journal = journal
        self.logger = logger
        self.step = step
    }

    package func run() async {
        do {
            try await gracefulShutdown()
        } catch {
            // Cancelled: the group is going down without order (a service failed, or a second
            // signal). The step still runs: an unflushed producer loses events, an undrained
            // plugin loses the writes it batched.
            logger.warning("host cancelled; stopping without the graceful order", metadata: ["step": "\(name)"])
        }
        await pool.run { [name, journal, logger, step] in
            journal?.record(name)
            step()
            logger.info("stopped", metadata: ["step": "\(name)"])
        }
    }
}

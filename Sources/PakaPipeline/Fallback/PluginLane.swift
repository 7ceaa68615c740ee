import PakaPluginHost
import Synchronization

/// One plugin's queue of synchronous work: events are handled in arrival order, one at a time,
/// on the blocking pool. A RETRY is *scheduled* after its backoff (no thread sleeps meanwhile),
/// and the lane's later events wait behind it, as a Kafka partition does. Lanes of different
/// plugins never wait for each other.
///
/// Bounded: `submit` refuses work beyond the plugin's `synchronousQueueLimit` (plugins.json,
/// read at each submit so an edit applies at once), so a stuck plugin costs a bounded amount of
/// memory and its callers hear about it.
final class PluginLane: Sendable {
    /// One event on its way to the plugin.
    struct Job: Sendable {
        let event: CloudEvent
        /// The event's JSON, built once for every plugin that consumes it.
        let payload: [UInt8]
        var attempt: UInt32 = 1
        /// Called once, with the final outcome, from a pool thread.
        let done: @Sendable (Delivery) -> Void
    }

    /// How an event ended for this plugin.
    struct Delivery: Sendable, Equatable {
        var outcome: EventOutcome
        /// Set when the event was neither finished nor stored (the spool refused it): the
        /// caller still owns it and must say so.
        var notKept: String?
    }

    /// What one attempt decided.
    enum Step: Sendable {
        case finished(Delivery)
        /// Try again after `delay` with attempt number `attempt`.
        case again(after: Duration, attempt: UInt32)
    }

    private struct State {
        var jobs: [Job] = []
        /// True while a pool thread or a scheduled retry owns the head job.
        var running = false
    }

    let pluginName: String
    private let state = Mutex(State())
    private let pool: BlockingPool
    private let attempt: @Sendable (Job) -> Step

    init(pluginName: String, pool: BlockingPool, attempt: @escaping @Sendable (Job) -> Step) {
        self.pluginName = pluginName
        self.pool = pool
        self.attempt = attempt
    }

    /// Queues `job`; false (and nothing queued) when the lane already holds `limit` events.
    func submit(_ job: Job, limit: Int) -> Bool {
        let start = state.withLock { state -> Bool? in
            guard state.jobs.count < limit else { return nil }
            state.jobs.append(job)
            if state.running { return false }
            state.running = true
            return true
        }
        guard let start else { return false }
        if start { pool.submit { self.runHead() } }
        return true
    }

    /// Events queued or in progress.
    var depth: Int { state.withLock { $0.jobs.count } }

    private func runHead() {
        // `running` guarantees a head job and that no one else works on it.
        guard let job = state.withLock({ $0.jobs.first }) else { return }
        switch attempt(job) {
        case .again(let delay, let next):
            state.withLock { $0.jobs[0].attempt = next }
            if delay <= .zero { pool.submit { self.runHead() } } else { pool.submit(after: delay) { self.runHead() } }
        case .finished(let delivery):
            let more = state.withLock { state -> Bool in
                state.jobs.removeFirst()
                state.running = !state.jobs.isEmpty
                return state.running
            }
            job.done(delivery)
            if more { pool.submit { self.runHead() } }
        }
    }
}

import Foundation
import Logging
import PakaPluginHost
import ServiceLifecycle
import Synchronization

/// Gives dead letters back to the one plugin that dead-lettered them — called directly through
/// the registry like the synchronous path, never re-published to the original topic (which
/// every other consumer group would receive again).
///
/// Each delivery carries provenance in the envelope (`paka.replay.of` = the letter,
/// `paka.replay.at`, `paka.replay.by` = the token's `sub`); `attempt` continues the letter's
/// count. A FAIL writes a new dead letter with the same provenance in `paka.replay.*` headers
/// and the old one is marked `failed-again`. Reports are written after every item, so a replay
/// cut short by a restart is reported as `interrupted` with what it did.
///
/// A service of the host: each replay runs as a child task of `run`, so the service group's
/// graceful shutdown stops running replays between two letters (their reports read
/// `interrupted`) and `run` returns only when every one of them has ended.
public final class DeadLetterReplayer: Service, Sendable {
    static let maxSelection = 10_000

    /// One accepted replay waiting for `run` to start it.
    struct Job: Sendable {
        var id: String
        var entries: [DeadLetterEntry]
    }

    let registry: PluginRegistry
    let bus: KafkaBus?
    let spool: LocalSpool
    package let store: DeadLetterStore
    let files: ReplayReportFiles
    let pool: BlockingPool
    let logger: Logger
    let reports = Mutex<[String: ReplayReport]>([:])
    private let jobs: AsyncStream<Job>
    private let queue: AsyncStream<Job>.Continuation

    /// No I/O here: `loadReports()` reads what earlier runs persisted.
    package init(registry: PluginRegistry, bus: KafkaBus?, spool: LocalSpool, store: DeadLetterStore, dataDirectory: String,
                 pool: BlockingPool = .shared, logger: Logger) {
        self.registry = registry
        self.bus = bus
        self.spool = spool
        self.store = store
        self.files = ReplayReportFiles(dataDirectory: dataDirectory, logger: logger)
        self.pool = pool
        self.logger = logger
        let (jobs, queue) = AsyncStream.makeStream(of: Job.self)
        self.jobs = jobs
        self.queue = queue
    }

    /// Loads persisted reports (file I/O, on the pool): a replay that was running is now
    /// `interrupted`; what replays delivered or failed again goes back into the ledger.
    package func loadReports() async {
        let loaded = await pool.run { [files] in files.loadAll() }
        for var report in loaded {
            if report.status == .running {
                report.status = .interrupted
                report.finishedAt = Date()
                await pool.run { [files, report] in files.save(report) }
                logger.warning("replay was interrupted by a restart; its report says what it did", metadata: [
                    "replay": "\(report.id)", "plugin": "\(report.plugin)", "delivered": "\(report.delivered)", "selected": "\(report.selected)"])
            }
            for item in report.items {
                switch item.outcome {
                case .delivered: store.ledger.set(item.letter, .replayed)
                case .failedAgain: store.ledger.set(item.letter, .failedAgain)
                case .pending, .notDelivered, .skipped, .wouldDeliver: break
                }
            }
            reports.withLock { [report] in $0[report.id] = report }
        }
    }

    public func report(_ id: String) -> ReplayReport? { reports.withLock { $0[id] } }

    /// Runs the accepted replays, each as a child task, until the host stops; then stops them
    /// between two letters and waits for every one.
    public func run() async {
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for await job in jobs {
                    group.addTask { await self.deliver(job.entries, replay: job.id) }
                }
                // The queue closed (graceful shutdown) or this task was cancelled: running
                // replays see the cancellation at their next letter or pause.
                group.cancelAll()
            }
        } onGracefulShutdown: { [queue] in
            queue.finish()
        }
        queue.finish()  // after a cancellation too: later requests are answered `interrupted`
    }

    /// Stops accepting replays and ends the running ones between two letters (what the service
    /// group's graceful shutdown does); `run` returns once they have ended.
    package func stop() { queue.finish() }

    /// Selects the letters, then (unless `dryRun`) hands them to `run`. Blocking (reads the
    /// dead-letter topics and the spool, writes the report): call it on the pool.
    package func start(plugin name: String, query: DeadLetterQuery, dryRun: Bool, force: Bool, ratePerSecond: Double?, by subject: String) throws(DeadLetterError) -> ReplayReport {
        guard let topics = registry.knownTopics(of: name) else { throw .unknownPlugin(name) }
        var selection = query
        selection.includeResolved = true
        selection.limit = Self.maxSelection
        selection.cursor = nil
        let (entries, page) = try store.page(plugin: name, topics: topics, query: selection)
        var report = ReplayReport(id: UUID().uuidString.lowercased(), plugin: name, requestedBy: subject, requestedAt: Date(),
                                  status: dryRun ? .dryRun : .running, force: force, ratePerSecond: ratePerSecond)
        report.truncated = page.truncated || page.nextCursor != nil
        let ids = entries.map(\.record.id)
        let claimed = dryRun ? Set(ids.filter { force || store.ledger.mark($0) == nil }) : store.ledger.claim(ids, force: force)
        report.items = entries.map { entry in
            ReplayReport.Item(letter: entry.record.id, eventId: entry.record.eventId,
                              outcome: claimed.contains(entry.record.id) ? (dryRun ? .wouldDeliver : .pending) : .skipped,
                              reason: claimed.contains(entry.record.id) ? nil : "already handled by a replay (\(store.ledger.state(of: entry.record.id))); use force to deliver again")
        }
        report.count()
        if dryRun { report.finishedAt = Date() }
        files.save(report)
        reports.withLock { [report] in $0[report.id] = report }
        logger.notice("dead-letter replay started", metadata: [
            "replay": "\(report.id)", "plugin": "\(name)", "by": "\(subject)", "selected": "\(report.selected)", "skipped": "\(report.skipped)", "dry_run": "\(dryRun)"])
        if !dryRun {
            let work = entries.filter { claimed.contains($0.record.id) }
            if case .terminated = queue.yield(Job(id: report.id, entries: work)) {
                // The host is stopping: nothing will run it. Give the letters back, say so.
                for entry in work { store.ledger.set(entry.record.id, nil) }
                return finish(report.id, as: .interrupted) ?? report
            }
        }
        return report
    }

    /// Marks the replay finished (file I/O: on the pool) and logs what it did.
    @discardableResult
    func finish(_ id: String, as status: ReplayReport.Status) -> ReplayReport? {
        let finished = reports.withLock { reports -> ReplayReport? in
            reports[id]?.status = status
            reports[id]?.finishedAt = Date()
            return reports[id]
        }
        guard let finished else { return nil }
        files.save(finished)
        logger.notice(status == .done ? "dead-letter replay finished" : "dead-letter replay interrupted by shutdown", metadata: [
            "replay": "\(id)", "plugin": "\(finished.plugin)", "delivered": "\(finished.delivered)", "failed_again": "\(finished.failedAgain)",
            "not_delivered": "\(finished.notDelivered)", "skipped": "\(finished.skipped)"])
        return finished
    }
}

import Logging
import PakaPluginHost
import ServiceLifecycle
import Synchronization

/// The host's one replayer, a service for the life of the host: writes spool lines the disk
/// refused earlier, and re-publishes the events the synchronous fallback deferred whenever Kafka
/// is connected. A pass that stops (Kafka refused an event) is tried again with a growing pause,
/// so a broker that is back but still rejecting does not fill the log.
final class DeferredReplay: Service, Sendable {
    private let spool: LocalSpool
    private let busBox = Mutex<KafkaBus?>(nil)
    private let logger: Logger
    private let pool: BlockingPool
    /// Work for a fresh connection (topic provisioning); blocking, so it runs on the pool.
    private let onReconnect: @Sendable () -> Void
    private let reconnected = Atomic<Bool>(false)
    /// How often the replayer looks at the spool.
    let interval: Duration
    private struct Pause { var until: ContinuousClock.Instant?; var length: Duration = .zero }
    private let pause = Mutex(Pause())

    init(spool: LocalSpool, interval: Duration = .seconds(1), pool: BlockingPool = .shared, logger: Logger,
         onReconnect: @escaping @Sendable () -> Void = {}) {
        self.spool = spool
        self.interval = interval
        self.pool = pool
        self.logger = logger
        self.onReconnect = onReconnect
    }

    /// Set right after the bus exists (the bus's connection callback reaches this object).
    var bus: KafkaBus? {
        get { busBox.withLock { $0 } }
        set { busBox.withLock { $0 = newValue } }
    }

    /// Called by the bus when it connects: the next pass provisions topics and replays at once.
    func kafkaConnected() {
        reconnected.store(true, ordering: .releasing)
        pause.withLock { $0 = Pause() }
    }

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            _ = await pass()
            // Throws only when the sleep is cut short (shutdown, cancellation): the loop condition decides.
            try? await cancelWhenGracefulShutdown { [interval] in try await Task.sleep(for: interval) }
        }
    }

    /// One look at the spool; the replay's report when it replayed.
    func pass() async -> LocalSpool.DeferredReplayPass? {
        _ = await pool.run { [spool] in spool.writeHeld() }  // what stays held is logged and in paka_spool_held_lines
        guard let bus, bus.isConnected else { return nil }
        if reconnected.exchange(false, ordering: .acquiringAndReleasing) { await pool.run(onReconnect) }
        let now = ContinuousClock.now
        guard pause.withLock({ $0.until.map { now >= $0 } ?? true }) else { return nil }
        guard await pool.run({ [spool] in !spool.deferredFiles().isEmpty }) else { return nil }
        let report = await spool.replayDeferred(pool: pool) { event in try await bus.produce(event) }
        pause.withLock { pause in
            if report.stoppedBecause == nil {
                pause = Pause()
            } else {
                pause.length = min(max(pause.length * 2, .seconds(1)), .seconds(60))
                pause.until = now + pause.length
            }
        }
        return report
    }
}

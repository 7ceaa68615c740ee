import Dispatch
import NIOCore
import NIOPosix

/// The one place where blocking work that is not a long-lived loop runs: plugin hooks (`health`,
/// `http`, `handle` on the synchronous path), `apply`/rollback, Kafka metadata checks, the spool
/// replay's file work, watcher reloads and startup loading.
///
/// Why one bounded pool: the cooperative pool has one thread per core (two here), and a blocked
/// one stalls every task; a thread per call (or GCD's global queue, which grows without bound)
/// hides overload instead of bounding it. Consumer loops and librdkafka poll loops are the only
/// other threads the host starts (docs/architecture.md, "Threads").
public struct BlockingPool: Sendable {
    /// Threads of the process-wide pool: enough for every plugin's lane plus concurrent HTTP
    /// hooks and control calls on a small machine, few enough to stay cheap when idle.
    public static let threadCount = 16

    /// Never shut down: like NIO's singletons, it lives as long as the process.
    public static let shared = BlockingPool(threads: threadCount)

    private let pool: NIOThreadPool
    /// Timers for work scheduled later (retry backoff): a scheduled task costs no thread while it waits.
    private let timers: any EventLoop

    /// A pool of its own (tests that run many hosts in one process give each its own).
    init(threads: Int) {
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
        timers = MultiThreadedEventLoopGroup.singleton.next()
    }

    /// Runs `body` on a pool thread and returns its result.
    public func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            submit { continuation.resume(returning: body()) }
        }
    }

    /// Runs `body` on a pool thread, passing its error on.
    public func run<T: Sendable, E: Error>(_ body: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        let result: Result<T, E> = await run { () -> Result<T, E> in
            do throws(E) { return .success(try body()) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Queues `body` on a pool thread without waiting for it.
    public func submit(_ body: @escaping @Sendable () -> Void) {
        // The pool is never shut down, so every item runs (`.cancelled` only after a shutdown).
        pool.submit { _ in body() }
    }

    /// Queues `body` on a pool thread once `delay` has passed; nothing waits meanwhile.
    public func submit(after delay: Duration, _ body: @escaping @Sendable () -> Void) {
        timers.scheduleTask(in: .nanoseconds(Int64(max(delay, .zero) / .nanoseconds(1)))) { [self] in submit(body) }
    }
}

import NIOPosix

/// Runs a blocking librdkafka call on a small fixed pool and awaits its result.
///
/// Why: calls such as `rd_kafka_flush`, `rd_kafka_metadata` or an admin request block for up to
/// their timeout. The async overloads in this module use this so that callers in Swift
/// concurrency never block a cooperative-pool thread.
///
/// Why a pool of its own rather than the host's `BlockingPool`: this module sits beneath the
/// host and knows nothing of it, and the server never calls these async forms (it calls the
/// synchronous ones through its own pool); the CLI, the benchmark and the tests do. Why not a
/// thread per call, as before: a burst of calls (a test suite, a script) would start a thread
/// each; a fixed pool bounds them and makes a burst queue instead. Why not NIO's
/// `NIOThreadPool.singleton`: a call may block for its whole timeout (seconds), which would hold
/// up unrelated file I/O that NIO users queue there.
enum BlockingCall {
    /// Enough for the concurrent control calls of a parallel test run (a few consumers polling
    /// while a producer flushes); past that, calls queue. An idle thread costs only its stack.
    static let threadCount = 8

    /// Started on first use and never shut down: it lives as long as the process, like NIO's singletons.
    private static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: threadCount)
        pool.start()
        return pool
    }()

    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            // The pool is never shut down, so every item runs (`.cancelled` only after a shutdown).
            pool.submit { _ in continuation.resume(returning: body()) }
        }
    }
}

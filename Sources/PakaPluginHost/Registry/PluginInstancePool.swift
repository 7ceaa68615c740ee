import Foundation

/// `concurrency` instances of one plugin version. The ABI promises a plugin that each instance
/// is called by one thread at a time; the pool enforces it by lending instances out.
final class PluginInstancePool: @unchecked Sendable {
    // @unchecked: all mutable state is guarded by `condition`.
    private let condition = NSCondition()
    private var idle: [any PluginCalls]
    private var lent = 0
    private var closed = false

    init(instances: [any PluginCalls]) {
        idle = instances
    }

    /// Runs `body` with an instance, waiting for one to be free. nil when the pool is retired.
    func withInstance<T>(_ body: (any PluginCalls) throws -> T) rethrows -> T? {
        condition.lock()
        while idle.isEmpty && !closed { condition.wait() }
        if closed {
            condition.unlock()
            return nil
        }
        let instance = idle.removeLast()
        lent += 1
        condition.unlock()
        defer {
            condition.lock()
            idle.append(instance)
            lent -= 1
            condition.broadcast()
            condition.unlock()
        }
        return try body(instance)
    }

    /// How one instance's `flush` ended at retirement.
    struct FlushResult: Sendable, Equatable {
        var outcome: EventOutcome
        var attempts: Int
    }

    /// Stops lending, waits for in-flight calls to return, then flushes and destroys every
    /// instance. An instance whose flush answers RETRY is kept and flushed again (with a short,
    /// growing pause) until it answers OK or FAIL or `flushWait` has passed: a plugin batching
    /// its own writes gets a bounded chance to land them before it is destroyed.
    func retire(flushWait: Duration) -> [FlushResult] {
        condition.lock()
        closed = true
        condition.broadcast()
        while lent > 0 { condition.wait() }
        let instances = idle
        idle.removeAll()
        condition.unlock()
        let deadline = ContinuousClock.now + flushWait
        var results: [FlushResult] = []
        for instance in instances {
            var result = FlushResult(outcome: instance.flush(), attempts: 1)
            while case .retry = result.outcome, ContinuousClock.now < deadline {
                // Runs on the caller's thread (a pool thread during apply/rollback/shutdown).
                let pause = min(Duration.milliseconds(25 << min(result.attempts, 5)), deadline - ContinuousClock.now)
                Thread.sleep(forTimeInterval: pause / .seconds(1))
                result = FlushResult(outcome: instance.flush(), attempts: result.attempts + 1)
            }
            results.append(result)
            instance.destroy()
        }
        return results
    }
}

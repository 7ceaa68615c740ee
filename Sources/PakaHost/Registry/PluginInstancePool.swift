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

    /// Stops lending, waits for in-flight calls to return, then flushes and destroys every instance.
    func retire() {
        condition.lock()
        closed = true
        condition.broadcast()
        while lent > 0 { condition.wait() }
        let instances = idle
        idle.removeAll()
        condition.unlock()
        // Every instance may hold buffered work (a plugin batching its own writes): flush each.
        for instance in instances {
            _ = instance.flush()
            instance.destroy()
        }
    }
}

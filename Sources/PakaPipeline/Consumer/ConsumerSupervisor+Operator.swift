import Foundation
import PakaPluginHost

/// The operator's requests, routed to the plugin's running consumer loop.
extension ConsumerSupervisor {
    private func loop(of plugin: String) throws(ConsumerControlError) -> ConsumerLoop {
        guard let loop = running.withLock({ $0[plugin]?.service.loop }) else { throw .noConsumer(plugin) }
        return loop
    }

    /// The consumer's state as the operator sees it; nil when the plugin has no consumer.
    public func consumerState(of plugin: String) -> String? {
        running.withLock { $0[plugin]?.service.loop.control.state.rawValue }
    }

    /// Waits (bounded) until the plugin's consumer has applied a pause or resume; returns the
    /// state it reached, nil without a consumer.
    public func awaitPause(of plugin: String, paused: Bool, timeout: Duration = .seconds(15)) async -> String? {
        let deadline = ContinuousClock.now + timeout
        while true {
            guard let state = consumerState(of: plugin) else { return nil }
            if state == (paused ? "paused" : "running") || ContinuousClock.now >= deadline { return state }
            // Cancelled (the request went away): answer with what the loop says now, not a spin to the deadline.
            do { try await Task.sleep(for: .milliseconds(20)) } catch { return consumerState(of: plugin) }
        }
    }

    public func offsets(of plugin: String) async throws(ConsumerControlError) -> [PartitionOffsets] {
        let loop = try loop(of: plugin)
        // Blocking queries: off the cooperative pool.
        return try await BlockingPool.shared.run { () throws(ConsumerControlError) in try loop.offsetsReport() }
    }

    /// Resets the group's offsets; refused unless the consumer holds its partitions paused.
    public func resetOffsets(of plugin: String, to target: OffsetReset) async throws(ConsumerControlError) -> (before: [PartitionOffsets], after: [PartitionOffsets]) {
        let loop = try loop(of: plugin)
        guard loop.control.state == .paused else { throw .notPaused(plugin) }
        return try await loop.control.perform(plugin: plugin) { loop throws(ConsumerControlError) in try loop.resetOffsets(to: target) }
    }
}

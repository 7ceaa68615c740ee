import Dispatch
import Foundation
import Logging

/// Processes events in-process, without Kafka: the seed's fallback ("processing happens
/// synchronously; no data loss, just slower responses").
///
/// Work runs on one serial queue, off the cooperative pool (plugins block). A plugin that
/// publishes while being called here has its event queued behind the current one instead of
/// re-entering itself, so a plugin consuming its own topic cannot deadlock.
public final class SynchronousDispatcher: Sendable {
    private let queue = DispatchQueue(label: "paka.sync-dispatch")
    private let registry: PluginRegistry
    private let spool: LocalSpool
    private let logger: Logger
    /// Attempts made in-process before an event that keeps asking for RETRY is deferred to Kafka.
    let maxAttempts: Int

    public init(registry: PluginRegistry, spool: LocalSpool, logger: Logger, maxAttempts: Int = 4) {
        self.registry = registry
        self.spool = spool
        self.logger = logger
        self.maxAttempts = maxAttempts
    }

    /// The outcome per consuming plugin, after retries.
    public struct Report: Sendable {
        public var outcomes: [String: EventOutcome]
        public var allOK: Bool { outcomes.values.allSatisfy(\.isOK) }
    }

    /// Processes `event` and waits for it.
    public func process(_ event: CloudEvent) async -> Report {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: self.run(event)) }
        }
    }

    /// Queues `event` without waiting (used for events plugins publish).
    public func enqueue(_ event: CloudEvent) {
        queue.async { _ = self.run(event) }
    }

    private func run(_ event: CloudEvent) -> Report {
        var outcomes: [String: EventOutcome] = [:]
        let payload = event.jsonBytes
        for plugin in registry.consumers(of: event.topic) {
            // Paused by the operator: not handled now; kept for Kafka, where the paused
            // consumer holds it until resumed.
            if registry.isPaused(plugin.name) {
                spool.deferForKafka(event, plugin: plugin.name, reason: "plugin is paused")
                outcomes[plugin.name] = .retry("plugin is paused; the event waits for Kafka")
                continue
            }
            outcomes[plugin.name] = deliver(event, payload: payload, to: plugin)
        }
        if outcomes.isEmpty {
            logger.info("no plugin consumes this topic; event logged only", metadata: ["topic": "\(event.topic)", "event_id": "\(event.id)"])
        }
        return Report(outcomes: outcomes)
    }

    private func deliver(_ event: CloudEvent, payload: [UInt8], to plugin: LoadedPlugin) -> EventOutcome {
        var current = plugin
        var attempt: UInt32 = 1
        let configuredLimit = plugin.entry.retry.maxAttempts
        while true {
            let input = PluginEvent(id: event.id, topic: event.topic, key: Array(event.subject.utf8), payload: payload, attempt: attempt)
            guard let outcome = current.handle([input])?.first else {
                // Retired by a swap meanwhile: hand the event to the version now active.
                guard let next = registry.active(named: current.name) else { return .retry("plugin '\(current.name)' is no longer active") }
                current = next
                continue
            }
            switch outcome {
            case .ok:
                return .ok
            case .fail(let reason):
                spool.deadLetter(event, plugin: current, reason: reason, attempts: Int(attempt))
                return outcome
            case .retry(let reason) where configuredLimit.map({ Int(attempt) >= $0 }) ?? false:
                spool.deadLetter(event, plugin: current, reason: "gave up after \(attempt) attempts: \(reason)", attempts: Int(attempt))
                return outcome
            case .retry(let reason) where Int(attempt) >= maxAttempts:
                // An outage is never dead-lettered: keep the event until Kafka can hold it.
                spool.deferForKafka(event, plugin: current.name, reason: reason)
                return outcome
            case .retry:
                Thread.sleep(forTimeInterval: Double(plugin.entry.retry.backoffMs(afterAttempt: Int(attempt))) / 1000)
                attempt += 1
            }
        }
    }
}

import Logging
import PakaPluginHost
import Synchronization

/// Processes events in-process, without Kafka: the seed's fallback ("processing happens
/// synchronously; no data loss, just slower responses").
///
/// Each consuming plugin has its own bounded ``PluginLane`` on the blocking pool, so one
/// plugin's retries (scheduled, never slept) delay only that plugin's later events. A plugin
/// that publishes while being called here has its event queued behind the current one instead of
/// re-entering itself, so a plugin consuming its own topic cannot deadlock.
public final class SynchronousDispatcher: Sendable {
    private let registry: PluginRegistry
    private let spool: LocalSpool
    private let logger: Logger
    private let pool: BlockingPool
    private let lanes = Mutex<[String: PluginLane]>([:])
    /// Attempts made in-process before an event that keeps asking for RETRY is deferred to Kafka.
    let maxAttempts: Int

    /// How many events a plugin's lane may hold is the plugin's `synchronousQueueLimit` (plugins.json).
    public init(registry: PluginRegistry, spool: LocalSpool, logger: Logger, maxAttempts: Int = 4, pool: BlockingPool = .shared) {
        self.registry = registry
        self.spool = spool
        self.logger = logger
        self.maxAttempts = maxAttempts
        self.pool = pool
    }

    /// The outcome per consuming plugin, after retries.
    public struct Report: Sendable {
        public var outcomes: [String: EventOutcome]
        /// Plugins for which the event was neither finished nor stored (lane full, spool refused),
        /// with the reason: the publisher must be told (the HTTP API answers 503).
        public var notKept: [String: String] = [:]
        public var allOK: Bool { outcomes.values.allSatisfy(\.isOK) }
    }

    /// Processes `event` in every consuming plugin's lane and waits for all of them.
    public func process(_ event: CloudEvent) async -> Report {
        let plugins = registry.consumers(of: event.topic)
        var report = Report(outcomes: [:])
        guard !plugins.isEmpty else {
            logger.info("no plugin consumes this topic; event logged only", metadata: ["topic": "\(event.topic)", "event_id": "\(event.id)"])
            return report
        }
        let payload = event.jsonBytes
        await withTaskGroup(of: (String, PluginLane.Delivery).self) { group in
            for plugin in plugins {
                let name = plugin.name, limit = plugin.entry.synchronousQueueLimit
                let lane = lane(for: name)
                group.addTask {
                    let delivery = await withCheckedContinuation { continuation in
                        let accepted = lane.submit(PluginLane.Job(event: event, payload: payload) { continuation.resume(returning: $0) }, limit: limit)
                        if !accepted {
                            continuation.resume(returning: PluginLane.Delivery(
                                outcome: .retry("plugin '\(name)' has \(limit) events waiting"),
                                notKept: "synchronous queue of plugin '\(name)' is full (\(limit) events, its synchronousQueueLimit)"))
                        }
                    }
                    return (name, delivery)
                }
            }
            for await (name, delivery) in group {
                report.outcomes[name] = delivery.outcome
                if let reason = delivery.notKept { report.notKept[name] = reason }
            }
        }
        return report
    }

    /// Queues `event` without waiting (used for events plugins publish). An event a full lane
    /// turns away is deferred to Kafka instead.
    public func enqueue(_ event: CloudEvent) {
        let payload = event.jsonBytes
        for plugin in registry.consumers(of: event.topic) {
            let job = PluginLane.Job(event: event, payload: payload) { [logger] delivery in
                if let reason = delivery.notKept { Self.logLost(event, plugin: plugin.name, reason: reason, logger: logger) }
            }
            guard !lane(for: plugin.name).submit(job, limit: plugin.entry.synchronousQueueLimit) else { continue }
            logger.warning("synchronous queue full; event deferred for Kafka", metadata: ["plugin": "\(plugin.name)", "event_id": "\(event.id)"])
            if case .notKept(let reason) = spool.deferForKafka(event, plugin: plugin.name, reason: "synchronous queue full") {
                Self.logLost(event, plugin: plugin.name, reason: reason, logger: logger)
            }
        }
    }

    /// Events queued or in progress for `plugin` (0 when it has no lane yet).
    func depth(of plugin: String) -> Int { lanes.withLock { $0[plugin]?.depth ?? 0 } }

    private func lane(for name: String) -> PluginLane {
        lanes.withLock { lanes in
            if let lane = lanes[name] { return lane }
            let lane = PluginLane(pluginName: name, pool: pool) { [weak self] job in
                self?.attempt(job, plugin: name) ?? .finished(.init(outcome: .retry("host shutting down"), notKept: "host shutting down"))
            }
            lanes[name] = lane
            return lane
        }
    }

    /// One call of the plugin's active version; runs on a pool thread.
    private func attempt(_ job: PluginLane.Job, plugin name: String) -> PluginLane.Step {
        let event = job.event
        // Paused by the operator: not handled now; kept for Kafka, where the paused consumer
        // holds it until resumed.
        if registry.isPaused(name) {
            return finish(.retry("plugin is paused; the event waits for Kafka"), kept: spool.deferForKafka(event, plugin: name, reason: "plugin is paused"))
        }
        guard let plugin = registry.active(named: name) else {
            return finish(.retry("plugin '\(name)' is no longer active"), kept: spool.deferForKafka(event, plugin: name, reason: "plugin no longer active"))
        }
        let input = PluginEvent(id: event.id, topic: event.topic, key: Array(event.subject.utf8), payload: job.payload, attempt: job.attempt)
        // nil: retired by a swap meanwhile; the same attempt goes to the version now active.
        guard let outcomes = plugin.handle([input]) else { return .again(after: .zero, attempt: job.attempt) }
        let outcome = outcomes.first ?? .retry("plugin returned no outcome")
        let attempt = Int(job.attempt)
        switch outcome {
        case .ok:
            return .finished(.init(outcome: .ok))
        case .fail(let reason):
            return finish(outcome, kept: spool.deadLetter(event, plugin: plugin, reason: reason, attempts: attempt))
        case .retry(let reason) where plugin.entry.retry.maxAttempts.map({ attempt >= $0 }) ?? false:
            return finish(outcome, kept: spool.deadLetter(event, plugin: plugin, reason: "gave up after \(attempt) attempts: \(reason)", attempts: attempt))
        case .retry(let reason) where attempt >= maxAttempts:
            // An outage is never dead-lettered: keep the event until Kafka can hold it.
            return finish(outcome, kept: spool.deferForKafka(event, plugin: name, reason: reason))
        case .retry:
            return .again(after: .milliseconds(plugin.entry.retry.backoffMs(afterAttempt: attempt)), attempt: job.attempt + 1)
        }
    }

    private func finish(_ outcome: EventOutcome, kept: LocalSpool.Kept) -> PluginLane.Step {
        if case .notKept(let reason) = kept { return .finished(.init(outcome: outcome, notKept: reason)) }
        return .finished(.init(outcome: outcome))
    }

    private static func logLost(_ event: CloudEvent, plugin: String, reason: String, logger: Logger) {
        logger.critical("event published by a plugin could be neither processed nor stored; it is only in this log line", metadata: [
            "plugin": "\(plugin)", "event_id": "\(event.id)", "reason": "\(reason)", "event": "\(String(decoding: event.jsonBytes, as: UTF8.self))"])
    }
}

import PakaPluginHost

/// What a lane does with one batch: hand it to the plugin's active version, and give the batch
/// to the version now active when a swap retired the one it asked (that one never saw it, so no
/// event is handled by both).
enum LaneRunner {
    static func run(_ work: LaneWork, plugin name: String, registry: PluginRegistry, observer: (any PipelineObserver)?) -> LaneResult {
        while true {
            // Disabled meanwhile: the supervisor is about to stop the loop; the batch costs no attempt.
            guard let plugin = registry.active(named: name) else { return LaneResult(work: work, answer: .notHandled(pluginCrashed: false)) }
            if plugin.isCrashed { return LaneResult(work: work, answer: .notHandled(pluginCrashed: true)) }
            let started = ContinuousClock.now
            guard let outcomes = plugin.handle(work.events) else { continue }  // retired by a swap: the next version
            if let observer { report(outcomes, of: work, plugin: name, since: started, to: observer) }
            return LaneResult(work: work, answer: .handled(outcomes, crashed: plugin.isCrashed))
        }
    }

    /// Exactly-once: one `handle` call per event with a ``PublishCapture`` around it, because the
    /// ABI's batch call cannot say which event published what, and an event answered RETRY must
    /// contribute none of its publishes while the others of its batch keep theirs.
    static func runCapturingPublishes(_ work: LaneWork, plugin name: String, registry: PluginRegistry,
                                      observer: (any PipelineObserver)?) -> LaneResult {
        let started = ContinuousClock.now
        var outcomes: [EventOutcome] = []
        var publishes: [[CloudEvent]] = []
        outcomes.reserveCapacity(work.events.count)
        publishes.reserveCapacity(work.events.count)
        var crashed = false
        events: for event in work.events {
            while true {
                guard let plugin = registry.active(named: name), !plugin.isCrashed else {
                    // Disabled or crashed before this event: nothing of the batch ran yet, or the
                    // rest is given back (a crash: unsettled answers cost no attempt).
                    if outcomes.isEmpty { return LaneResult(work: work, answer: .notHandled(pluginCrashed: registry.active(named: name)?.isCrashed ?? false)) }
                    crashed = crashed || (registry.active(named: name)?.isCrashed ?? false)
                    break events
                }
                let capture = PublishCapture()
                guard let answer = PublishCapture.$current.withValue(capture, operation: { plugin.handle([event]) }) else { continue }
                outcomes.append(answer.first ?? .retry("plugin returned no outcome"))
                publishes.append(capture.take())
                if plugin.isCrashed {
                    crashed = true
                    break events
                }
                break
            }
        }
        while outcomes.count < work.events.count { outcomes.append(.retry("not handled: the plugin stopped before this event")) }
        if let observer { report(outcomes, of: work, plugin: name, since: started, to: observer) }
        return LaneResult(work: work, answer: .handled(outcomes, crashed: crashed), publishes: publishes)
    }

    private static func report(_ outcomes: [EventOutcome], of work: LaneWork, plugin: String, since started: ContinuousClock.Instant,
                               to observer: any PipelineObserver) {
        var ok = 0, retried = 0, failed = 0
        for outcome in outcomes {
            switch outcome {
            case .ok: ok += 1
            case .retry: retried += 1
            case .fail: failed += 1
            }
        }
        let seconds = (ContinuousClock.now - started) / .seconds(1)
        observer.batchHandled(plugin: plugin, events: work.events.count, ok: ok, retried: retried, failed: failed, seconds: seconds)
    }
}

import Foundation
import PakaKafka
import PakaPluginHost

/// Handing ready events to the lanes, and taking their answers back.
extension ConsumerLoop {
    /// Fills every idle lane with ready events, spread evenly so that the lanes run side by side
    /// (60 ready keys and 16 idle lanes make 16 batches of 3–4, not one of 60).
    ///
    /// A batch is an equal share of what is ready among **all** the lanes (at most `batchSize`),
    /// not among the lanes idle right now. Why: with one lane idle and 90 keys ready, that lane
    /// would take all 90 and call the plugin 90 times in a row (a Telegram call each) while the
    /// other 15 lanes come free and find every key taken. Measured with the notification
    /// processor at 16 lanes against a 100 ms stand-in: 6.9× one instance with idle-lane shares, 13.4× with these.
    func dispatch() {
        let now = ContinuousClock.now
        if let until = dispatchBlockedUntil {
            guard now >= until else { return noteDue(until) }
            dispatchBlockedUntil = nil
        }
        let idle = lanes.idle
        guard idle > 0, !pausedForCrash, !control.wantsPause, !queues.isEmpty else { return }
        let limit = lanes.count * settings.batchSize
        var picked: [(partition: KafkaTopicPartition, indices: [Int])] = []
        var total = 0
        let partitions = Array(queues.keys)
        dispatchRotation = (dispatchRotation + 1) % max(partitions.count, 1)
        for step in partitions.indices {
            let partition = partitions[(dispatchRotation + step) % partitions.count]
            var indices: [Int] = []
            let scan = queues[partition]!.collectReady(into: &indices, limit: limit - total, ordering: settings.ordering, now: now,
                                                       busyKeys: &scratchKeys)
            if let due = scan.nextDue { noteDue(due) }
            if !indices.isEmpty {
                picked.append((partition, indices))
                total += indices.count
            }
        }
        guard total > 0 else { return }
        let perLane = min(settings.batchSize, (total + lanes.count - 1) / lanes.count)
        var left = min(total, idle * perLane)
        var work = LaneWork()
        work.events.reserveCapacity(min(perLane, total))
        for (partition, indices) in picked where left > 0 {
            // One dictionary lookup per partition, not per event (a key of two strings to hash).
            guard var queue = queues.removeValue(forKey: partition) else { continue }
            defer { queues[partition] = queue }
            var start = 0
            let end = min(indices.count, left)
            left -= end
            while start < end {
                let take = min(perLane - work.events.count, end - start)
                for index in indices[start..<(start + take)] { work.events.append(queue.beginAttempt(at: index)) }
                work.segments.append(.init(partition: partition, epoch: queue.epoch, count: take))
                start += take
                if work.events.count == perLane {
                    lanes.submit(work)
                    work = LaneWork()
                    work.events.reserveCapacity(perLane)
                }
            }
        }
        if !work.events.isEmpty { lanes.submit(work) }
        // One lane ran the batch inline: its answers are in already.
        if lanes.count == 1 { applyAll(lanes.takeResults(waitingUpTo: .zero)) }
    }

    func noteDue(_ instant: ContinuousClock.Instant) {
        nextDue = min(nextDue ?? instant, instant)
    }

    /// Records the lanes' answers in their partition queues.
    func applyAll(_ results: [LaneResult]) {
        for result in results { apply(result) }
    }

    private func apply(_ result: LaneResult) {
        var crashed = false
        switch result.answer {
        case .handled(_, let didCrash): crashed = didCrash
        case .notHandled(let pluginCrashed):
            crashed = pluginCrashed
            if !pluginCrashed { dispatchBlockedUntil = ContinuousClock.now + .milliseconds(50) }
        }
        var next = 0
        let now = ContinuousClock.now
        for segment in result.work.segments {
            let range = next..<(next + segment.count)
            next += segment.count
            // A partition revoked meanwhile (or revoked and assigned again): its new life redelivers these.
            guard var queue = queues[segment.partition], queue.epoch == segment.epoch else { continue }
            queues[segment.partition] = nil  // keep the queue uniquely referenced while it changes
            for position in range {
                let event = result.work.events[position]
                // A pattern, not ==: the synthesized == of a multi-payload enum is a runtime call per event.
                guard let index = queue.index(ofOffset: event.offset), case .inFlight = queue[index].state else { continue }
                switch result.answer {
                case .notHandled:
                    queue.forgetAttempt(at: index)
                case .handled(let outcomes, _):
                    let outcome = position < outcomes.count ? outcomes[position] : .retry("plugin returned no outcome")
                    if crashed && !outcome.isSettled {
                        queue.forgetAttempt(at: index)  // waits for the plugin's restart; costs no attempt
                    } else {
                        record(outcome, at: index, in: &queue, now: now)
                        // Exactly-once: an OK or FAIL keeps what it published for the transaction;
                        // a RETRY's publishes are dropped (it publishes again when handled again).
                        if outcome.isSettled, position < result.publishes.count { queue[index].publishes = result.publishes[position] }
                    }
                }
            }
            queues[segment.partition] = queue
        }
        if crashed { holdWhileCrashed() }
    }

    private func record(_ outcome: EventOutcome, at index: Int, in queue: inout PartitionQueue, now: ContinuousClock.Instant) {
        switch outcome {
        case .ok:
            queue[index].state = .ok
        case .fail(let reason):
            queue[index].state = .failed(reason)
        case .retry(let reason):
            let attempts = queue[index].attempts
            if let max = settings.retry.maxAttempts, attempts >= max {
                queue[index].state = .failed("gave up after \(attempts) attempts: \(reason)")
            } else {
                let backoff = settings.retry.backoffMs(afterAttempt: attempts)
                queue[index].state = .held(until: now + .milliseconds(backoff))
                logger.debug("event will be retried; its key waits", metadata: [
                    "partition": "\(queue[index].message.partition)", "offset": "\(queue[index].message.offset)",
                    "attempt": "\(attempts)", "backoff_ms": "\(backoff)", "reason": "\(reason)"])
            }
        }
    }

    /// Events in the lanes and held for retry, and busy lanes, to the observer once a second.
    func reportGauges() {
        guard let observer else { return }
        let now = ContinuousClock.now
        guard now - gaugesReportedAt >= .seconds(1) else { return }
        gaugesReportedAt = now
        var inFlight = 0, held = 0
        for queue in queues.values {
            for index in queue.headIndex..<queue.endIndex {
                switch queue[index].state {
                case .inFlight: inFlight += 1
                case .held: held += 1
                default: break
                }
            }
        }
        observer.lanesObserved(plugin: settings.pluginName, inFlight: inFlight, heldForRetry: held, busyLanes: lanes.busy, lanes: lanes.count)
    }
}

extension PartitionQueue {
    /// Counts one more attempt for the item and returns its event as the plugin gets it.
    mutating func beginAttempt(at index: Int) -> PluginEvent {
        self[index].attempts += 1
        self[index].state = .inFlight
        // The id is there: only valid events (not poison, state .failed) are ever handed out.
        return InboundEvent.pluginEvent(self[index].message, id: self[index].eventId ?? "", attempt: self[index].attempts)
    }

    /// Takes back an attempt the plugin never saw, or that a crash of the plugin cut short.
    mutating func forgetAttempt(at index: Int) {
        self[index].attempts -= 1
        self[index].state = .waiting
    }
}

import Foundation
import Logging
import PakaKafka
import PakaPluginHost

/// Settling a partition's window, and the dead-letter path: send to `<topic>.dlq` without
/// waiting, pass the watermark on the broker's answer.
extension ConsumerLoop {
    /// Sends the dead letters that are due, then stores the offset of the last finished item of
    /// the window's finished head (the watermark covers every one before it), then pauses or
    /// resumes the partition by the room left in its window.
    func settle(_ partition: KafkaTopicPartition) {
        guard var queue = queues[partition] else { return }
        queues[partition] = nil  // keep the queue uniquely referenced while it changes
        if transactions != nil {
            // Exactly-once: the transaction writes the dead letters and the offsets together
            // (`commitFinished`); finished items wait in the window until it committed.
            if let head = queue.first, head.state.isFinished {
                // Bounded by events as well as by time: a window half full commits at once
                // rather than pausing its partition until the next cycle.
                if queue.count * 2 >= settings.maxInFlight { nextCommitAt = min(nextCommitAt, ContinuousClock.now) }
                noteDue(nextCommitAt)
            }
            keepRoom(in: &queue, partition: partition)
            queues[partition] = queue
            return
        }
        sendDeadLetters(&queue)
        var finished: Int64?
        // Fields are read in place: copying whole items per event cost more than the rest of settling.
        settling: while queue.count > 0 {
            let head = queue.headIndex
            switch queue[head].state {
            case .ok:
                break
            case .failed(let reason):
                guard case .written? = queue[head].deadLetter else { break settling }
                noteDeadLettered(queue[head], reason: reason)
            case .waiting, .inFlight, .held:
                break settling
            }
            finished = queue[head].message.offset
            queue.removeFirst()
        }
        if let finished { store(partition, offset: finished) }
        if let retryAt = queue.deadLetterRetryAt { noteDue(retryAt) }
        keepRoom(in: &queue, partition: partition)
        queues[partition] = queue
    }

    /// Every FAILed or poison item without a dead letter gets one now, in offset order (a burst
    /// costs one round trip, not one per event); refused ones again once their pause is over.
    private func sendDeadLetters(_ queue: inout PartitionQueue) {
        if let retryAt = queue.deadLetterRetryAt {
            guard ContinuousClock.now >= retryAt else { return }
            queue.deadLetterRetryAt = nil
        }
        for index in queue.headIndex..<queue.endIndex {
            guard case .failed(let reason) = queue[index].state else { continue }
            switch queue[index].deadLetter {
            case nil, .refused?: sendDeadLetter(at: index, reason: reason, queue: &queue)
            case .inFlight?, .written?: continue
            }
            if queue.deadLetterRetryAt != nil { return }  // Kafka refused: the rest waits too
        }
    }

    func noteDeadLettered(_ item: PartitionQueue.Item, reason: String) {
        let plugin = registry.active(named: settings.pluginName)
        // A crash verdict is done with once its dead letter is written (process isolation).
        if let id = item.eventId {
            plugin?.crashes.settleVerdict(topic: item.message.topic, partition: item.message.partition, offset: item.message.offset, id: id)
        }
        plugin?.counters.recordDeadLetter()
        logger.warning("event dead-lettered", metadata: [
            "topic": "\(item.message.topic)", "partition": "\(item.message.partition)", "offset": "\(item.message.offset)", "reason": "\(reason)"])
    }

    /// At `maxInFlight` events in its window a partition stops fetching until the window shrinks:
    /// a plugin far behind (or one key held for a long retry) costs bounded memory.
    private func keepRoom(in queue: inout PartitionQueue, partition: KafkaTopicPartition) {
        if !queue.pausedForRoom && queue.count >= settings.maxInFlight {
            do {
                try consumer.pause(topic: partition.topic, partition: partition.partition)
                queue.pausedForRoom = true
                logger.debug("partition window full; fetching pauses", metadata: ["partition": "\(partition)", "window": "\(queue.count)"])
            } catch {
                logger.warning("could not pause a partition whose window is full", metadata: ["partition": "\(partition)", "error": "\(error)"])
            }
        } else if queue.pausedForRoom && queue.count < settings.maxInFlight {
            queue.pausedForRoom = false
            // While the plugin is crashed or the operator holds the loop, the partition stays paused.
            guard !pausedForCrash && !pausedByOperator else { return }
            do { try consumer.resume(topic: partition.topic, partition: partition.partition) } catch {
                logger.warning("could not resume partition", metadata: ["partition": "\(partition)", "error": "\(error)"])
            }
        }
    }

    /// The dead letter of a FAILed or poison item (with the crash verdict, if a crash caused it).
    func deadLetter(for item: PartitionQueue.Item, reason: String) -> DeadLetter {
        let plugin = registry.active(named: settings.pluginName)
        let crash = item.eventId.flatMap { plugin?.crashes.verdict(topic: item.message.topic, partition: item.message.partition, offset: item.message.offset, id: $0) }
        var letter = DeadLetter(message: item.message, error: reason, plugin: settings.pluginName,
                                pluginVersion: plugin?.descriptor.version ?? "unknown", attempts: crash?.attempts ?? max(item.attempts, 1))
        letter.crash = crash
        return letter
    }

    func sendDeadLetter(at index: Int, reason: String, queue: inout PartitionQueue) {
        let item = queue[index]
        let letter = deadLetter(for: item, reason: reason)
        let partition = KafkaTopicPartition(topic: item.message.topic, partition: item.message.partition)
        let offset = item.message.offset
        deadLetterAcks.inFlight.add(1, ordering: .relaxed)  // before the send: the answer may come first
        do {
            try bus.deadLetter(letter) { [deadLetterAcks] error in
                deadLetterAcks.record(.init(partition: partition, offset: offset, error: error))
            }
            queue[index].deadLetter = .inFlight
        } catch {
            deadLetterAcks.inFlight.subtract(1, ordering: .relaxed)
            refuseDeadLetter(at: index, error: error, queue: &queue)
        }
    }

    /// Applies the broker's answers that arrived since the last pass.
    func collectDeadLetterAcks() {
        for ack in deadLetterAcks.take() {
            deadLetterAcks.inFlight.subtract(1, ordering: .relaxed)
            // A partition revoked meanwhile is gone: its new owner dead-letters the event again.
            guard var queue = queues[ack.partition], let index = queue.index(ofOffset: ack.offset) else { continue }
            queues[ack.partition] = nil  // keep the queue uniquely referenced while it changes
            if let error = ack.error { refuseDeadLetter(at: index, error: error, queue: &queue) } else { queue[index].deadLetter = .written }
            queues[ack.partition] = queue
        }
    }

    /// At stop: dead letters already sent get a bounded wait for their acknowledgement, and the
    /// partitions are settled as they arrive, so the final commit covers those events and the
    /// next owner of the partition does not dead-letter them a second time. What is still
    /// unanswered at the limit stays uncommitted (redelivered: at-least-once).
    func awaitDeadLettersInFlight(upTo limit: Duration) {
        let deadline = ContinuousClock.now + limit
        while deadLetterAcks.inFlight.load(ordering: .relaxed) > 0 && ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.01)
            collectDeadLetterAcks()
            settleAll()
        }
        let unanswered = deadLetterAcks.inFlight.load(ordering: .relaxed)
        if unanswered > 0 {
            logger.warning("stopping with dead letters unanswered; their events stay uncommitted and are dead-lettered again by the next owner",
                           metadata: ["unanswered": "\(unanswered)"])
        }
    }

    func refuseDeadLetter(at index: Int, error: KafkaError, queue: inout PartitionQueue) {
        logger.error("could not write the dead letter; will try again", metadata: [
            "partition": "\(queue[index].message.partition)", "offset": "\(queue[index].message.offset)", "error": "\(error)"])
        queue[index].deadLetter = .refused("\(error)")
        // The partition's dead letters pause a second before they are sent again.
        queue.deadLetterRetryAt = ContinuousClock.now + .seconds(1)
    }
}

import Foundation
import Logging
import PakaKafka
import PakaPluginHost

/// The dead-letter path: send to `<topic>.dlq` without waiting, pass the watermark on the ack.
extension ConsumerLoop {
    /// Sends the head item to `<topic>.dlq` unless it is on its way already; true once Kafka
    /// acknowledged it (then the watermark may pass it). Never waits: while the answer is
    /// pending the partition holds, and every other partition keeps flowing.
    func deadLetter(_ item: PartitionQueue.Item, reason: String, queue: inout PartitionQueue) -> Bool {
        switch item.deadLetter {
        case .written?:
            let plugin = registry.active(named: settings.pluginName)
            // A crash verdict is done with once its dead letter is written (process isolation).
            if let id = item.eventId {
                plugin?.crashes.settleVerdict(topic: item.message.topic, partition: item.message.partition, offset: item.message.offset, id: id)
            }
            plugin?.counters.recordDeadLetter()
            logger.warning("event dead-lettered", metadata: [
                "topic": "\(item.message.topic)", "partition": "\(item.message.partition)", "offset": "\(item.message.offset)", "reason": "\(reason)"])
            return true
        case .inFlight?:
            return false
        case .refused?:
            if queue.isWaiting { return false }
        case nil:
            break
        }
        sendDeadLetter(at: queue.headIndex, reason: reason, queue: &queue)
        return false
    }

    /// Poison and FAILed items right behind the head are settled already: their dead letters go
    /// out now, so a burst costs one round trip, not one per event. Stops at the first item whose
    /// fate is still open (it may yet be dead-lettered: the .dlq keeps the partition's order).
    func sendDeadLettersAhead(_ queue: inout PartitionQueue) {
        for index in queue.headIndex..<queue.items.count {
            if queue[index].deadLetter != nil { continue }
            if let poison = queue[index].poison {
                sendDeadLetter(at: index, reason: "poison message: \(poison)", queue: &queue)
            } else if case .fail(let reason)? = queue[index].known {
                sendDeadLetter(at: index, reason: reason, queue: &queue)
            } else if case .ok? = queue[index].known {
                continue
            } else {
                return
            }
        }
    }

    func sendDeadLetter(at index: Int, reason: String, queue: inout PartitionQueue) {
        let item = queue[index]
        let plugin = registry.active(named: settings.pluginName)
        let crash = item.eventId.flatMap { plugin?.crashes.verdict(topic: item.message.topic, partition: item.message.partition, offset: item.message.offset, id: $0) }
        var letter = DeadLetter(message: item.message, error: reason, plugin: settings.pluginName,
                                pluginVersion: plugin?.descriptor.version ?? "unknown", attempts: crash?.attempts ?? max(item.attempts, 1))
        letter.crash = crash
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
        // The head's partition pauses before sending again; one behind it is sent again when it is the head.
        if index == queue.headIndex { queue.retryAt = ContinuousClock.now + .seconds(1) }
    }
}

import PakaKafka
import PakaPluginHost

/// Pause, resume and offset resets, served by the loop itself between two passes.
///
/// Pausing keeps the group membership (no rebalance, the partitions stay this member's): every
/// assigned partition is paused in librdkafka, events fetched but not finished are given back
/// by rewinding their partition to its first unfinished offset, and the stored offsets are
/// committed. The loop then only polls, which keeps it a live member, and pauses whatever a
/// rebalance hands it meanwhile.
extension ConsumerLoop {
    static let operatorTimeout = Duration.seconds(10)

    /// Returns true while the operator holds this loop paused (the pass is then only a poll).
    func serveOperator() -> Bool {
        let wanted = control.wantsPause
        if wanted && !pausedByOperator {
            // Batches in the lanes finish first (dispatch hands out nothing meanwhile): a pause
            // leaves no event half-handled, so none is handled twice after the resume.
            guard lanes.busy == 0 else { return false }
            settleAll()
            // Exactly-once: what is finished is committed before the rest is given back.
            if transactions != nil { commitFinished(force: true) }
            enterOperatorPause()
        } else if !wanted && pausedByOperator {
            leaveOperatorPause()
        }
        for command in control.takeCommands() { command.run(self) }
        guard pausedByOperator else { return false }
        holdPaused()
        return true
    }

    private func enterOperatorPause() {
        let assigned = consumer.assignment()
        for partition in assigned { pauseQuietly(partition) }
        for (partition, queue) in queues {
            guard let head = queue.first else { continue }
            do { try consumer.seek(topic: partition.topic, partition: partition.partition, offset: head.message.offset) } catch {
                logger.warning("could not rewind a paused partition; its unfinished events come back at the next rebalance", metadata: [
                    "partition": "\(partition)", "error": "\(error)"])
            }
        }
        queues.removeAll()
        do { try consumer.commit() } catch { logger.warning("commit on pause failed; stored offsets are committed later", metadata: ["error": "\(error)"]) }
        pausedByOperator = true
        heldGeneration = consumer.assignmentGeneration
        control.markApplied(paused: true)
        logger.info("consumer paused by the operator: partitions held, offsets committed", metadata: ["partitions": "\(assigned.count)"])
    }

    private func leaveOperatorPause() {
        for partition in consumer.assignment() {
            do { try consumer.resume(topic: partition.topic, partition: partition.partition) } catch {
                logger.warning("could not resume partition", metadata: ["partition": "\(partition)", "error": "\(error)"])
            }
        }
        pausedByOperator = false
        lastAssignmentGeneration = -1  // read the assignment afresh
        control.markApplied(paused: false)
        logger.info("consumer resumed by the operator")
    }

    /// Polls (membership, callbacks) without handing anything on: partitions a rebalance
    /// assigned meanwhile are paused and rewound to the first event they fetched.
    private func holdPaused() {
        let messages = consumer.poll(maxMessages: 1000, timeout: settings.pollTimeout)
        var rewound = Set<KafkaTopicPartition>()
        for message in messages {
            let partition = KafkaTopicPartition(topic: message.topic, partition: message.partition)
            guard rewound.insert(partition).inserted else { continue }
            pauseQuietly(partition)
            do { try consumer.seek(topic: partition.topic, partition: partition.partition, offset: message.offset) } catch {
                logger.warning("could not rewind a partition assigned during the pause", metadata: ["partition": "\(partition)", "error": "\(error)"])
            }
        }
        if consumer.assignmentGeneration != heldGeneration {
            heldGeneration = consumer.assignmentGeneration
            for partition in consumer.assignment() { pauseQuietly(partition) }
        }
    }

    private func pauseQuietly(_ partition: KafkaTopicPartition) {
        do { try consumer.pause(topic: partition.topic, partition: partition.partition) } catch {
            logger.warning("could not pause partition", metadata: ["partition": "\(partition)", "error": "\(error)"])
        }
    }

    /// Committed offset, start, end and lag of every partition of the plugin's topics. Safe from
    /// any thread (librdkafka's queries are thread-safe); blocks up to a few seconds.
    func offsetsReport() throws(ConsumerControlError) -> [PartitionOffsets] {
        do throws(KafkaError) {
            var partitions: [KafkaTopicPartition] = []
            for topic in settings.topics {
                partitions += try consumer.partitions(of: topic, timeout: Self.operatorTimeout).map { KafkaTopicPartition(topic: topic, partition: $0) }
            }
            let committed = try consumer.committedOffsets(partitions, timeout: Self.operatorTimeout)
            return try partitions.map { p throws(KafkaError) in
                let marks = try consumer.watermarks(topic: p.topic, partition: p.partition, timeout: Self.operatorTimeout)
                let done = (committed[p] ?? nil)
                return PartitionOffsets(topic: p.topic, partition: p.partition, committed: done, start: marks.low, end: marks.high,
                                        lag: max(0, marks.high - (done ?? marks.low)))
            }
        } catch {
            throw .kafka(error)
        }
    }

    /// Moves the group's committed offsets (and this member's fetch positions); only while paused.
    func resetOffsets(to target: OffsetReset) throws(ConsumerControlError) -> (before: [PartitionOffsets], after: [PartitionOffsets]) {
        guard pausedByOperator else { throw .notPaused(settings.pluginName) }
        let before = try offsetsReport()
        var targets: [KafkaTopicPartition: Int64] = [:]
        switch target {
        case .earliest:
            for p in before { targets[p.key] = p.start }
        case .latest:
            for p in before { targets[p.key] = p.end }
        case .timestamp(let ms):
            let found: [KafkaTopicPartition: Int64?]
            do { found = try consumer.offsets(atTimestamp: ms, before.map(\.key), timeout: Self.operatorTimeout) } catch { throw .kafka(error) }
            for p in before { targets[p.key] = (found[p.key] ?? nil) ?? p.end }
        case .explicit(let offsets):
            for (key, offset) in offsets {
                guard let known = before.first(where: { $0.key == key }) else {
                    throw .invalidTarget("\(key) is not a partition of this plugin's topics (\(before.map(\.key.description).joined(separator: ", ")))")
                }
                guard (known.start...known.end).contains(offset) else {
                    throw .invalidTarget("offset \(offset) for \(key) is outside \(known.start)...\(known.end) (the kept range)")
                }
                targets[key] = offset
            }
        }
        let assigned = Set(consumer.assignment())
        do { try consumer.commit(offsets: targets, assigned: assigned) } catch { throw .kafka(error) }
        // The operator chose where to read from: nothing below is skipped as already committed.
        for partition in targets.keys { offsetsOwedByTransactions[partition] = nil }
        for (partition, offset) in targets where assigned.contains(partition) {
            do { try consumer.seek(topic: partition.topic, partition: partition.partition, offset: offset) } catch {
                logger.warning("committed the new offset but could not move the fetch position; it applies at the next rebalance", metadata: [
                    "partition": "\(partition)", "error": "\(error)"])
            }
        }
        logger.notice("consumer offsets reset by the operator", metadata: [
            "target": "\(target)", "offsets": "\(targets.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: ","))"])
        return (before, try offsetsReport())
    }
}

import Foundation
import Logging
import PakaKafka
import PakaPluginHost

/// Exactly-once: the commit cycle. Every `commitInterval` (or at stop and pause) the finished
/// head of each partition's window — events answered OK or FAIL with no unfinished event
/// before them — is committed in one transaction: what the plugin published while handling
/// them, their dead letters, and the offsets past them. Nothing is produced outside it, so a
/// crash, a kill -9 or a fenced producer before the commit leaves nothing visible and the
/// events are handled again; after it, their offsets are committed and they never come back.
extension ConsumerLoop {
    /// Commits what is finished when the cycle is due (`force`: now, everything).
    func commitFinished(force: Bool) {
        guard transactions != nil else { return }
        if !force && ContinuousClock.now < nextCommitAt { return }
        while true {
            // Each attempt sets the next cycle: `commitInterval` on, a second after a failure.
            let (committed, full) = commitOnce()
            guard committed, full, force else { break }
        }
    }

    /// One transaction over the windows' finished heads. Returns whether it committed, and
    /// whether it was cut at `maxEventsPerTransaction` (more is waiting).
    private func commitOnce() -> (committed: Bool, full: Bool) {
        guard let transactions else { return (false, false) }
        var heads: [(partition: KafkaTopicPartition, count: Int)] = []
        var offsets: [KafkaTopicPartition: Int64] = [:]
        var total = 0
        for (partition, queue) in queues where total < settings.maxEventsPerTransaction {
            var index = queue.headIndex
            while index < queue.endIndex, total < settings.maxEventsPerTransaction, queue[index].state.isFinished {
                index += 1
                total += 1
            }
            guard index > queue.headIndex else { continue }
            heads.append((partition, index - queue.headIndex))
            offsets[partition] = queue[index - 1].message.offset + 1
        }
        nextCommitAt = ContinuousClock.now + settings.commitInterval
        guard total > 0 else { return (false, false) }
        let producer: KafkaProducer
        do throws(KafkaError) {
            producer = try transactions.ready()
            try producer.beginTransaction()
        } catch {
            return (failed(before: error), false)
        }
        do throws(KafkaError) {
            // Offsets first: when the coordinator is unreachable nothing has left the client yet
            // (order inside a transaction does not matter to Kafka; it does to a broker that
            // shows aborted records, like librdkafka's mock).
            try producer.sendOffsetsToTransaction(offsets, consumer: consumer, timeout: TransactionalOutput.timeout)
            for (partition, count) in heads {
                guard let queue = queues[partition] else { continue }
                for index in queue.headIndex..<(queue.headIndex + count) { try produce(queue[index], with: producer) }
            }
            try transactions.commit(producer)
        } catch {
            return (aborted(producer, after: error), false)
        }
        for (partition, count) in heads {
            guard var queue = queues[partition] else { continue }
            queues[partition] = nil  // keep the queue uniquely referenced while it changes
            for _ in 0..<count {
                if let head = queue.first, case .failed(let reason) = head.state { noteDeadLettered(head, reason: reason) }
                queue.removeFirst()
            }
            queues[partition] = queue
        }
        commitOutsideTransactionIfNeeded(offsets, transactions: transactions)
        return (true, total >= settings.maxEventsPerTransaction)
    }

    /// An item's publishes, and its dead letter when it FAILed, into the open transaction.
    private func produce(_ item: PartitionQueue.Item, with producer: KafkaProducer) throws(KafkaError) {
        for event in item.publishes {
            try producer.send(topic: event.topic, key: Array(event.subject.utf8), value: event.jsonBytes, headers: KafkaBus.headers(for: event)) {
                [logger] result in
                // A failed record fails the commit, which aborts: logged there; here only which one.
                if case .failure(let error) = result { logger.debug("transactional record not delivered", metadata: ["topic": "\(event.topic)", "error": "\(error)"]) }
            }
        }
        guard case .failed(let reason) = item.state else { return }
        let letter = deadLetter(for: item, reason: reason)
        try producer.send(topic: Topics.deadLetter(of: letter.originalTopic), key: letter.key, value: letter.value, headers: letter.headers) {
            [logger] result in
            if case .failure(let error) = result { logger.debug("transactional dead letter not delivered", metadata: ["error": "\(error)"]) }
        }
    }

    /// No transaction was open (the producer could not be made ready, or begin failed): the
    /// finished events stay finished and are committed by a later cycle.
    private func failed(before error: KafkaError) -> Bool {
        if error.isFatal { transactions?.discard() }
        logger.warning("could not start a transaction; finished events wait for the next one", metadata: ["error": "\(error)"])
        nextCommitAt = ContinuousClock.now + .seconds(1)
        return false
    }

    /// The transaction failed: abort it (nothing it wrote becomes visible). The events stay
    /// finished, with what they published, and go into the next transaction. When even the
    /// abort fails, or the producer was fenced, the producer is replaced and every partition
    /// rewinds to its committed offset: the events are redelivered and handled again.
    private func aborted(_ producer: KafkaProducer, after error: KafkaError) -> Bool {
        if !error.isFatal {
            do {
                try producer.abortTransaction(timeout: TransactionalOutput.timeout)
                logger.warning("transaction aborted; its events are committed by the next one", metadata: ["error": "\(error)"])
                nextCommitAt = ContinuousClock.now + .seconds(1)
                return false
            } catch {
                logger.error("could not abort the transaction", metadata: ["error": "\(error)"])
            }
        }
        logger.error("""
            transactional producer unusable (fenced by a newer producer with the same transactional id — another host with this \
            PAKA_INSTANCE_ID? — or broken); replacing it and handling the uncommitted events again
            """, metadata: ["error": "\(error)"])
        transactions?.discard()
        rewindToCommitted()
        nextCommitAt = ContinuousClock.now + .seconds(1)
        return false
    }

    /// Drops every window and moves each partition back to the group's committed offset (read
    /// from the brokers, which settles a transaction whose commit had an unknown outcome).
    private func rewindToCommitted() {
        let partitions = Array(queues.keys)
        let committed: [KafkaTopicPartition: Int64?]
        do throws(KafkaError) { committed = try consumer.committedOffsets(partitions, timeout: TransactionalOutput.timeout) } catch {
            logger.warning("could not read the committed offsets; rewinding to the first uncommitted event", metadata: ["error": "\(error)"])
            committed = [:]
        }
        for (partition, queue) in queues {
            if let target = (committed[partition] ?? nil) ?? queue.first?.message.offset {
                do { try consumer.seek(topic: partition.topic, partition: partition.partition, offset: target) } catch {
                    logger.warning("could not rewind a partition; its events come back at the next rebalance", metadata: [
                        "partition": "\(partition)", "error": "\(error)"])
                }
            }
            if queue.pausedForRoom && !pausedForCrash && !pausedByOperator {
                do { try consumer.resume(topic: partition.topic, partition: partition.partition) } catch {
                    logger.warning("could not resume a rewound partition", metadata: ["partition": "\(partition)", "error": "\(error)"])
                }
            }
        }
        queues.removeAll()  // answers still in the lanes are ignored (their epoch is gone)
    }

    /// Kafka applies the offsets with the transaction. A cluster that drops them (librdkafka's
    /// mock, see `TransactionalOutput`) gets them again as a plain commit, so a restart does not
    /// start from the beginning.
    private func commitOutsideTransactionIfNeeded(_ offsets: [KafkaTopicPartition: Int64], transactions: TransactionalOutput) {
        if transactions.appliesTransactionalOffsets == nil {
            let readBack = try? consumer.committedOffsets(Array(offsets.keys), timeout: TransactionalOutput.timeout)
            let applied = readBack.map { back in offsets.allSatisfy { (back[$0.key] ?? nil) ?? -1 >= $0.value } }
            // Unreadable: assume not applied (a second commit of the same offsets is harmless).
            transactions.noteOffsetsApplied(applied ?? false)
        }
        guard transactions.appliesTransactionalOffsets == false else { return }
        do {
            try consumer.commit(offsets: offsets, assigned: lastAssignment)
            for (partition, offset) in offsets where (offsetsOwedByTransactions[partition] ?? .max) <= offset { offsetsOwedByTransactions[partition] = nil }
        } catch {
            // Typically the group moved on meanwhile (a broker flap timed the session out): the
            // committed offset stays behind what the transaction made visible. Until a commit
            // catches up, what this host fetches below it is skipped, not handled again.
            offsetsOwedByTransactions.merge(offsets) { max($0, $1) }
            logger.warning("offsets committed in the transaction could not be committed again; this host skips those events when they come back, another member would handle them again",
                           metadata: ["error": "\(error)"])
        }
    }

    /// After a rejoin: commits again the offsets a transaction made visible and the plain commit
    /// could not record, for the partitions this member owns again.
    func commitOffsetsOwedByTransactions() {
        let owed = offsetsOwedByTransactions.filter { lastAssignment.contains($0.key) }
        guard !owed.isEmpty else { return }
        // The floor stays until a transaction's own plain commit passes it: the fetch position
        // after this rejoin may have been read before this commit landed.
        do { try consumer.commit(offsets: owed, assigned: lastAssignment) } catch {
            logger.warning("offsets owed by committed transactions still not committed; trying again at the next rebalance", metadata: ["error": "\(error)"])
        }
    }

    /// Whether a fetched message is below an offset a committed transaction made visible (see
    /// `offsetsOwedByTransactions`): it was handled and its outputs are visible already.
    func isCoveredByCommittedTransaction(_ message: KafkaMessage, partition: KafkaTopicPartition) -> Bool {
        guard let owed = offsetsOwedByTransactions[partition] else { return false }
        return message.offset < owed
    }
}

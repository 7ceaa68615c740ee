import CRdKafka
import Logging
import Synchronization

/// A consumer-group member with explicit, per-message offset storage.
///
/// Why these settings: `enable.auto.offset.store=false` (enforced) means an offset is only
/// committed after the host called ``storeOffset(topic:partition:offset:)`` for a message its
/// plugin finished, while `enable.auto.commit=true` commits whatever was stored in the
/// background — at-least-once processing without a commit round-trip per message.
/// `auto.offset.reset=earliest` (overridable) makes a new group start at the beginning.
///
/// Threading: ``poll(maxMessages:timeout:)``, ``commit()`` and ``close()`` block; call them from
/// the host's dedicated consumer thread (or use the async overloads, which run them on the
/// blocking-call pool, `BlockingCall`). Error, statistics and rebalance callbacks run inside `poll`.
public final class KafkaConsumer: Sendable {
    let handle: RdKafkaHandle
    private let logger: Logger
    private let isClosed = Mutex(false)
    /// The message a poll received after a rebalance it applied: the next poll returns it first.
    private let carriedOver = Mutex<KafkaMessage?>(nil)
    public let groupId: String
    public let topics: [String]

    /// `offsetsInTransactions`: the offsets are committed by a transactional producer
    /// (``KafkaProducer/sendOffsetsToTransaction(_:consumer:timeout:)``), never by this consumer in
    /// the background, and it reads only committed transactional records
    /// (`enable.auto.commit=false`, `isolation.level=read_committed`, both enforced).
    public init(configuration: KafkaConfiguration, groupId: String, topics: [String],
                logger: Logger, offsetsInTransactions: Bool = false,
                onStatistics: (@Sendable (String) -> Void)? = nil) throws(KafkaError) {
        var logger = logger
        logger[metadataKey: "kafka.client"] = "consumer"
        logger[metadataKey: "kafka.group"] = "\(groupId)"
        self.logger = logger
        self.groupId = groupId
        self.topics = topics
        handle = try RdKafkaHandle(
            kind: .consumer, configuration: configuration,
            defaults: [("auto.offset.reset", "earliest"), ("enable.auto.commit", "true")],
            required: [("group.id", groupId), ("enable.auto.offset.store", "false")]
                + (offsetsInTransactions ? [("enable.auto.commit", "false"), ("isolation.level", "read_committed")] : []),
            context: ClientContext(logger: logger, onStatistics: onStatistics))
        // Serve error/log/stats events from poll(), so no separate poll thread is needed.
        rd_kafka_poll_set_consumer(handle.pointer)
        let subscription = TopicPartitionList(capacity: Int32(topics.count))
        for topic in topics {
            rd_kafka_topic_partition_list_add(subscription.pointer, topic, RD_KAFKA_PARTITION_UA)
        }
        let err = rd_kafka_subscribe(handle.pointer, subscription.pointer)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(err, "could not subscribe to \(topics)",
                             hint: "check the topic names (regex subscriptions start with ^)")
        }
    }

    /// Blocks up to `timeout` for the first message, then returns it plus whatever else is
    /// already fetched, up to `maxMessages`. Error events (including partition EOF) are logged and
    /// skipped, never thrown: librdkafka recovers from them on its own. Returns `[]` once closed.
    ///
    /// A batch never spans a rebalance. Rebalances are applied inside this call; when one moves
    /// ``assignmentGeneration`` here, the call returns only what was fetched before it (perhaps
    /// nothing), and the next call starts with the message that came after it. Why: a caller
    /// that keeps a window per partition drops the windows of revoked partitions between polls
    /// (librdkafka fetches them again from the committed offset). A message fetched for the new
    /// assignment and returned in the same batch would land in the old window and be dropped
    /// with it, while librdkafka's position has moved past it: the event would never be handled.
    public func poll(maxMessages: Int, timeout: Duration) -> [KafkaMessage] {
        if isClosed.withLock({ $0 }) || maxMessages <= 0 { return [] }
        var messages: [KafkaMessage] = []
        if let first = carriedOver.withLock({ carried in defer { carried = nil }; return carried }) { messages.append(first) }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        let generation = assignmentGeneration
        var topicNames = TopicNameCache()
        while messages.count < maxMessages {
            let wait = messages.isEmpty ? (deadline - clock.now).clampedMilliseconds : 0
            guard let message = rd_kafka_consumer_poll(handle.pointer, wait) else { break }
            defer { rd_kafka_message_destroy(message) }
            let rebalanced = assignmentGeneration != generation
            if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                let copy = KafkaMessage(copying: message, topicNames: &topicNames)
                if rebalanced {
                    carriedOver.withLock { $0 = copy }
                    break
                }
                messages.append(copy)
            } else {
                report(message)
                if rebalanced || (messages.isEmpty && clock.now >= deadline) { break }
            }
        }
        if !messages.isEmpty { handle.context.setConnected(true) }
        return messages
    }

    /// ``poll(maxMessages:timeout:)`` on the blocking-call pool (for tests and
    /// low-rate use; the host's consumer loop should own a thread and call the blocking version).
    public func poll(maxMessages: Int, timeout: Duration) async -> [KafkaMessage] {
        await BlockingCall.run {
            self.poll(maxMessages: maxMessages, timeout: timeout)
        }
    }

    /// Marks the message at `offset` as processed: pass the message's **own** offset; the value
    /// stored (and later committed) is `offset + 1`, the next message to read, as Kafka expects.
    /// Throws when the partition is not assigned to this consumer (e.g. after a rebalance).
    public func storeOffset(topic: String, partition: Int32, offset: Int64) throws(KafkaError) {
        let list = TopicPartitionList(topic: topic, partition: partition, offset: offset + 1)
        let err = rd_kafka_offsets_store(handle.pointer, list.pointer)
        if let failure = list.firstError ?? (err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : err) {
            throw KafkaError(failure, "could not store offset \(offset) for \(topic)[\(partition)]",
                             hint: "the partition is probably no longer assigned to this consumer")
        }
    }

    /// Stops fetching from the partition; already-returned messages are unaffected.
    public func pause(topic: String, partition: Int32) throws(KafkaError) {
        let list = TopicPartitionList(topic: topic, partition: partition)
        try check(rd_kafka_pause_partitions(handle.pointer, list.pointer), list, "pause", topic, partition)
    }

    /// Resumes fetching a paused partition from the consumer's current position.
    public func resume(topic: String, partition: Int32) throws(KafkaError) {
        let list = TopicPartitionList(topic: topic, partition: partition)
        try check(rd_kafka_resume_partitions(handle.pointer, list.pointer), list, "resume", topic, partition)
    }

    /// Moves the fetch position so the next ``poll(maxMessages:timeout:)`` returns `offset` again;
    /// messages already fetched beyond it are discarded. Use after ``pause(topic:partition:)`` to
    /// re-deliver messages a plugin could not process. Asynchronous: fetch errors show in the log.
    public func seek(topic: String, partition: Int32, offset: Int64) throws(KafkaError) {
        let list = TopicPartitionList(topic: topic, partition: partition, offset: offset)
        if let error = rd_kafka_seek_partitions(handle.pointer, list.pointer, 0) {
            throw KafkaError(consuming: error, "could not seek \(topic)[\(partition)] to \(offset)",
                             hint: "the partition must be assigned to this consumer")
        }
        // With timeout 0 the seek is asynchronous and librdkafka marks it _IN_PROGRESS.
        if let err = list.firstError, err != RD_KAFKA_RESP_ERR__IN_PROGRESS {
            throw KafkaError(err, "could not seek \(topic)[\(partition)] to \(offset)",
                             hint: "the partition must be assigned to this consumer")
        }
    }

    /// Synchronously commits the stored offsets (blocking). Having nothing to commit is success.
    public func commit() throws(KafkaError) {
        let err = rd_kafka_commit(handle.pointer, nil, 0)
        if err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET { return }
        throw KafkaError(err, "offset commit for group '\(groupId)' failed",
                         hint: "check broker connectivity; stored offsets are retried by auto-commit")
    }

    /// ``commit()`` on the blocking-call pool.
    public func commit() async throws(KafkaError) {
        let result = await BlockingCall.run {
            () -> Result<Void, KafkaError> in
            do throws(KafkaError) { try self.commit(); return .success(()) } catch { return .failure(error) }
        }
        try result.get()
    }

    /// The fatal error librdkafka raised, if any; the consumer must then be closed and recreated.
    public var fatalError: KafkaError? { handle.fatalError }

    /// A number that moves whenever a rebalance changed this consumer's assignment; rebalances
    /// are applied inside ``poll(maxMessages:timeout:)`` (and ``close()``), so it moves only then.
    ///
    /// Why: ``assignment()`` is a request to librdkafka's main thread and back. A loop that must
    /// notice revoked partitions after every poll compares this instead and asks only when it moved.
    public var assignmentGeneration: Int { handle.context.assignmentChanges.load(ordering: .acquiring) }

    /// The partitions currently assigned to this consumer by the group ([] when librdkafka cannot
    /// say; ``knownAssignment()`` tells that case apart).
    public func assignment() -> [KafkaTopicPartition] { knownAssignment() ?? [] }

    /// The partitions currently assigned, or nil when librdkafka could not answer (e.g. while
    /// terminating), so a caller that caches the answer does not cache an empty one.
    public func knownAssignment() -> [KafkaTopicPartition]? {
        var list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
        guard rd_kafka_assignment(handle.pointer, &list) == RD_KAFKA_RESP_ERR_NO_ERROR,
              let list else { return nil }
        return TopicPartitionList(adopting: list).topicPartitions
    }

    /// The partitions revoked since the last call (each rebalance callback adds to it), including
    /// ones assigned again since: what was fetched for them before the revoke is stale.
    public func takeRevokedPartitions() -> Set<KafkaTopicPartition> {
        handle.context.revokedPartitions.withLock { revoked in
            defer { revoked.removeAll() }
            return revoked
        }
    }

    /// Commits stored offsets and leaves the group cleanly so partitions move to other members
    /// at once (blocking). Idempotent. Do not call concurrently with ``poll(maxMessages:timeout:)``.
    public func close() {
        if isClosed.withLock({ closed in defer { closed = true }; return closed }) { return }
        let err = rd_kafka_consumer_close(handle.pointer)
        handle.context.isRetired.store(true, ordering: .relaxed)
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            logger.warning("kafka consumer close failed", metadata: [
                "error": "\(KafkaError(err, "consumer close"))"])
        }
    }

    /// ``close()`` on the blocking-call pool.
    public func close() async {
        await BlockingCall.run { self.close() }
    }

    private func check(_ err: rd_kafka_resp_err_t, _ list: TopicPartitionList, _ what: String,
                       _ topic: String, _ partition: Int32) throws(KafkaError) {
        if let failure = list.firstError ?? (err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : err) {
            throw KafkaError(failure, "could not \(what) \(topic)[\(partition)]",
                             hint: "the partition must be assigned to this consumer")
        }
    }

    /// Logs a consumer error event; partition EOF is routine and only logged at debug level.
    private func report(_ message: UnsafePointer<rd_kafka_message_t>) {
        let err = message.pointee.err
        let topic = message.pointee.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "-"
        let metadata: Logger.Metadata = [
            "topic": "\(topic)", "partition": "\(message.pointee.partition)",
            "error": "\(String(cString: rd_kafka_err2name(err))): \(String(cString: rd_kafka_message_errstr(message)))"]
        if err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
            logger.debug("kafka partition end reached", metadata: metadata)
        } else if err == RD_KAFKA_RESP_ERR__FATAL {
            logger.error("kafka consumer raised a fatal error; recreate the consumer", metadata: metadata)
        } else {
            logger.warning("kafka consumer error", metadata: metadata)
        }
    }
}

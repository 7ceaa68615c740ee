import CRdKafka

/// Kafka transactions (KIP-98) with consumer offsets inside them (KIP-447, "exactly-once v2"):
/// the records a transaction produces and the consumer offsets it carries become visible
/// together at ``commitTransaction(timeout:)``, or not at all after
/// ``abortTransaction(timeout:)`` — a `read_committed` reader never sees an aborted record.
///
/// Only for a producer created with a `transactionalId`. Every call blocks (a round trip to the
/// transaction coordinator, at most `timeout`): call them from a dedicated thread. Errors keep
/// librdkafka's classification: ``KafkaError/requiresAbort`` (abort, then begin again),
/// ``KafkaError/isRetriable`` (call the same function again), ``KafkaError/isFatal`` (the
/// producer is fenced or broken: create a new one with the same id, which fences the old).
extension KafkaProducer {
    /// Registers the transactional id with the coordinator, fencing any older producer with the
    /// same id and completing or aborting the transaction it left open. Once per producer.
    public func initTransactions(timeout: Duration) throws(KafkaError) {
        try check(rd_kafka_init_transactions(handle.pointer, timeout.clampedMilliseconds), "init_transactions",
                  hint: "check that the brokers support transactions (Kafka 2.5+ for exactly-once v2) and are reachable")
    }

    public func beginTransaction() throws(KafkaError) {
        try check(rd_kafka_begin_transaction(handle.pointer), "begin_transaction",
                  hint: "call initTransactions first, and commit or abort the previous transaction")
    }

    /// Adds the consumer's next offsets (`offset` = the next message to read) to the open
    /// transaction, with the consumer's group metadata (generation and member id), so that the
    /// coordinator refuses them from a member the group has since replaced (a zombie).
    public func sendOffsetsToTransaction(_ offsets: [KafkaTopicPartition: Int64], consumer: KafkaConsumer,
                                         timeout: Duration) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        guard let metadata = rd_kafka_consumer_group_metadata(consumer.handle.pointer) else {
            throw KafkaError(code: RD_KAFKA_RESP_ERR__STATE.rawValue, message:
                "send_offsets_to_transaction: the consumer has no group metadata — it must be a subscribed group member")
        }
        defer { rd_kafka_consumer_group_metadata_destroy(metadata) }
        let list = TopicPartitionList(capacity: Int32(offsets.count))
        for (partition, offset) in offsets {
            rd_kafka_topic_partition_list_add(list.pointer, partition.topic, partition.partition).pointee.offset = offset
        }
        try check(rd_kafka_send_offsets_to_transaction(handle.pointer, list.pointer, metadata, timeout.clampedMilliseconds),
                  "send_offsets_to_transaction", hint: "the group may have rebalanced; abort and let the events be redelivered")
    }

    /// Flushes the transaction's records and commits them with its offsets. A retriable failure
    /// (timeout) leaves the outcome unknown: call it again to learn it.
    public func commitTransaction(timeout: Duration) throws(KafkaError) {
        try check(rd_kafka_commit_transaction(handle.pointer, timeout.clampedMilliseconds), "commit_transaction",
                  hint: "abort the transaction; its events are handled again")
    }

    /// Drops the open transaction: its records stay invisible to `read_committed` readers and
    /// its offsets are not applied.
    public func abortTransaction(timeout: Duration) throws(KafkaError) {
        try check(rd_kafka_abort_transaction(handle.pointer, timeout.clampedMilliseconds), "abort_transaction",
                  hint: "recreate the producer: a new one with the same transactional id aborts what is left open")
    }

    private func check(_ error: OpaquePointer?, _ what: String, hint: String) throws(KafkaError) {
        guard let error else { return }
        throw KafkaError(consuming: error, what, hint: hint)
    }
}

import CRdKafka

/// Reading and moving the group's committed offsets (the operator's `offsets` routes).
///
/// Why on the group member itself: committing as the member that holds the partitions is
/// accepted by every broker (a non-member may commit only while the group is empty), and the
/// member can move its own fetch position in the same step.
extension KafkaConsumer {
    /// The group's committed offset per partition (nil: the group never committed one).
    public func committedOffsets(_ partitions: [KafkaTopicPartition], timeout: Duration) throws(KafkaError) -> [KafkaTopicPartition: Int64?] {
        let list = TopicPartitionList(capacity: Int32(max(partitions.count, 1)))
        for p in partitions { rd_kafka_topic_partition_list_add(list.pointer, p.topic, p.partition) }
        let err = rd_kafka_committed(handle.pointer, list.pointer, timeout.clampedMilliseconds)
        if let failure = list.firstError ?? (err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : err) {
            throw KafkaError(failure, "could not read the committed offsets of group '\(groupId)'", hint: "check broker connectivity")
        }
        var result: [KafkaTopicPartition: Int64?] = [:]
        for element in list.elements {
            result[KafkaTopicPartition(topic: String(cString: element.topic), partition: element.partition)] = element.offset >= 0 ? element.offset : nil
        }
        return result
    }

    public func partitions(of topic: String, timeout: Duration) throws(KafkaError) -> [Int32] {
        try handle.partitions(of: topic, timeout: timeout)
    }

    public func watermarks(topic: String, partition: Int32, timeout: Duration) throws(KafkaError) -> (low: Int64, high: Int64) {
        try handle.watermarks(topic: topic, partition: partition, timeout: timeout)
    }

    public func offsets(atTimestamp timestampMs: Int64, _ partitions: [KafkaTopicPartition], timeout: Duration) throws(KafkaError) -> [KafkaTopicPartition: Int64?] {
        try handle.offsets(atTimestamp: timestampMs, partitions, timeout: timeout)
    }

    /// Commits exactly these offsets (each the next offset to read) for the group, synchronously,
    /// and stores them too, so the background auto-commit cannot put back an older stored offset.
    public func commit(offsets: [KafkaTopicPartition: Int64], assigned: Set<KafkaTopicPartition>) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        let mine = offsets.filter { assigned.contains($0.key) }
        if !mine.isEmpty {
            let store = TopicPartitionList(capacity: Int32(mine.count))
            for (p, offset) in mine { rd_kafka_topic_partition_list_add(store.pointer, p.topic, p.partition).pointee.offset = offset }
            _ = rd_kafka_offsets_store(handle.pointer, store.pointer)  // best effort: the commit below is what counts
        }
        let list = TopicPartitionList(capacity: Int32(offsets.count))
        for (p, offset) in offsets { rd_kafka_topic_partition_list_add(list.pointer, p.topic, p.partition).pointee.offset = offset }
        let err = rd_kafka_commit(handle.pointer, list.pointer, 0)
        if let failure = list.firstError ?? (err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : err) {
            throw KafkaError(failure, "could not commit the new offsets of group '\(groupId)'", hint: "check broker connectivity; nothing was moved if every partition failed")
        }
    }
}

import CRdKafka

/// Offset queries any client handle can make (watermarks, partition counts, offsets for a
/// timestamp), shared by ``KafkaConsumer`` and ``KafkaTopicReader``. All block up to `timeout`.
extension RdKafkaHandle {
    /// The partition numbers of `topic`, from a metadata request.
    func partitions(of topic: String, timeout: Duration) throws(KafkaError) -> [Int32] {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(pointer, 1, nil, &metadata, timeout.clampedMilliseconds)
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR, let metadata else {
            throw KafkaError(err, "metadata request for '\(topic)' failed", hint: "check KAFKA_BROKERS and that the brokers are up")
        }
        defer { rd_kafka_metadata_destroy(metadata) }
        let topics = UnsafeBufferPointer(start: metadata.pointee.topics, count: Int(metadata.pointee.topic_cnt))
        guard let found = topics.first(where: { String(cString: $0.topic) == topic }), found.err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, "topic '\(topic)' does not exist", hint: "create it (the host creates its topics at start-up)")
        }
        return UnsafeBufferPointer(start: found.partitions, count: Int(found.partition_cnt)).map(\.id).sorted()
    }

    /// The low (first kept) and high (next to be written) offsets of one partition.
    func watermarks(topic: String, partition: Int32, timeout: Duration) throws(KafkaError) -> (low: Int64, high: Int64) {
        var low: Int64 = 0, high: Int64 = 0
        let err = rd_kafka_query_watermark_offsets(pointer, topic, partition, &low, &high, Int32(timeout.clampedMilliseconds))
        guard err == RD_KAFKA_RESP_ERR_NO_ERROR else {
            throw KafkaError(err, "could not read the offsets of \(topic)[\(partition)]", hint: "check that the topic exists and the brokers are up")
        }
        return (low, high)
    }

    /// The first offset at or after `timestampMs` per partition; nil for a partition with no
    /// message that late (the caller usually takes the high watermark then).
    func offsets(atTimestamp timestampMs: Int64, _ partitions: [KafkaTopicPartition], timeout: Duration) throws(KafkaError) -> [KafkaTopicPartition: Int64?] {
        let list = TopicPartitionList(capacity: Int32(partitions.count))
        for p in partitions { rd_kafka_topic_partition_list_add(list.pointer, p.topic, p.partition).pointee.offset = timestampMs }
        let err = rd_kafka_offsets_for_times(pointer, list.pointer, timeout.clampedMilliseconds)
        if let failure = list.firstError ?? (err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : err) {
            throw KafkaError(failure, "could not look up offsets for timestamp \(timestampMs)", hint: "the brokers must support ListOffsets v1 (Kafka 0.10.1+)")
        }
        var result: [KafkaTopicPartition: Int64?] = [:]
        for element in list.elements {
            result[KafkaTopicPartition(topic: String(cString: element.topic), partition: element.partition)] = element.offset >= 0 ? element.offset : nil
        }
        return result
    }
}

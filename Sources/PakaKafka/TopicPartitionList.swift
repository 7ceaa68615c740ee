import CRdKafka

/// Owns an `rd_kafka_topic_partition_list_t` for the duration of one call.
///
/// Why: pause, resume, seek, offset store and assignment all speak in these lists; wrapping one
/// guarantees it is destroyed and gives one place to read per-partition errors.
final class TopicPartitionList {
    let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    init(capacity: Int32 = 1) {
        pointer = rd_kafka_topic_partition_list_new(capacity)
    }

    /// Adopts a list librdkafka allocated for us (e.g. from `rd_kafka_assignment`).
    init(adopting pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        self.pointer = pointer
    }

    deinit {
        rd_kafka_topic_partition_list_destroy(pointer)
    }

    convenience init(topic: String, partition: Int32, offset: Int64? = nil) {
        self.init(capacity: 1)
        let element = rd_kafka_topic_partition_list_add(pointer, topic, partition)!
        if let offset { element.pointee.offset = offset }
    }

    var elements: UnsafeMutableBufferPointer<rd_kafka_topic_partition_t> {
        UnsafeMutableBufferPointer(start: pointer.pointee.elems, count: Int(pointer.pointee.cnt))
    }

    var topicPartitions: [KafkaTopicPartition] {
        elements.map { KafkaTopicPartition(topic: String(cString: $0.topic), partition: $0.partition) }
    }

    /// The first per-partition error librdkafka recorded in the list, if any.
    var firstError: rd_kafka_resp_err_t? {
        elements.first { $0.err != RD_KAFKA_RESP_ERR_NO_ERROR }?.err
    }
}

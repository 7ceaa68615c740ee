import CRdKafka
import Foundation
import Logging
import Synchronization

/// Reads ranges of a partition without joining any group (nothing is committed): how the host
/// browses `<topic>.dlq` for the operator.
///
/// One reader serves one call at a time (an internal lock): it re-assigns the partition it is
/// asked for and polls until the range is read or `timeout` passed.
public final class KafkaTopicReader: Sendable {
    private let handle: RdKafkaHandle
    private let busy = Mutex(())

    public init(configuration: KafkaConfiguration, logger: Logger) throws(KafkaError) {
        var logger = logger
        logger[metadataKey: "kafka.client"] = "topic-reader"
        handle = try RdKafkaHandle(kind: .consumer, configuration: configuration,
                                   defaults: [("enable.partition.eof", "true")],
                                   // A group id only because librdkafka's consumer API needs one; `assign` never joins it.
                                   required: [("group.id", "paka-topic-reader-\(UUID().uuidString.lowercased())"),
                                              ("enable.auto.commit", "false"), ("enable.auto.offset.store", "false")],
                                   context: ClientContext(logger: logger, onStatistics: nil))
        rd_kafka_poll_set_consumer(handle.pointer)
    }

    deinit {
        _ = rd_kafka_consumer_close(handle.pointer)
    }

    public func partitions(of topic: String, timeout: Duration) throws(KafkaError) -> [Int32] {
        try handle.partitions(of: topic, timeout: timeout)
    }

    public func watermarks(topic: String, partition: Int32, timeout: Duration) throws(KafkaError) -> (low: Int64, high: Int64) {
        try handle.watermarks(topic: topic, partition: partition, timeout: timeout)
    }

    /// The messages with offsets in `from..<until` (fewer when some are gone or `timeout` passed).
    public func read(topic: String, partition: Int32, from: Int64, until: Int64, timeout: Duration) -> [KafkaMessage] {
        guard until > from else { return [] }
        return busy.withLock { _ in
            let list = TopicPartitionList(topic: topic, partition: partition, offset: from)
            guard rd_kafka_assign(handle.pointer, list.pointer) == RD_KAFKA_RESP_ERR_NO_ERROR else { return [] }
            defer { _ = rd_kafka_assign(handle.pointer, nil) }
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: timeout)
            var messages: [KafkaMessage] = []
            var names = TopicNameCache()
            var next = from
            // Messages and EOF events of an earlier call's assignment can still be queued: only
            // in-range messages count, and an EOF ends the read only when it is at our position.
            while next < until, clock.now < deadline {
                guard let message = rd_kafka_consumer_poll(handle.pointer, min((deadline - clock.now).clampedMilliseconds, 100)) else { continue }
                defer { rd_kafka_message_destroy(message) }
                let m = message.pointee
                guard m.partition == partition, let rkt = m.rkt, String(cString: rd_kafka_topic_name(rkt)) == topic else { continue }
                if m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF {
                    if m.offset <= next { break }  // nothing more exists past where we are
                    continue
                }
                guard m.err == RD_KAFKA_RESP_ERR_NO_ERROR, m.offset >= next, m.offset < until else { continue }
                messages.append(KafkaMessage(copying: message, topicNames: &names))
                next = m.offset + 1
            }
            return messages
        }
    }
}

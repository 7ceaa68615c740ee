import CRdKafka

/// The topic name of the last topic handle seen during one ``KafkaConsumer/poll(maxMessages:timeout:)``.
///
/// Why: a poll returns hundreds of messages of usually one topic, and reading the name back from
/// librdkafka made a new String per message. Safe only for the span of one poll: a topic handle
/// stays alive while the consumer holds partitions of it, but its address could be reused later.
struct TopicNameCache {
    private var handle: OpaquePointer?
    private var name = ""

    mutating func name(of topic: OpaquePointer?) -> String {
        guard let topic else { return "" }
        if topic != handle {
            handle = topic
            name = String(cString: rd_kafka_topic_name(topic))
        }
        return name
    }
}

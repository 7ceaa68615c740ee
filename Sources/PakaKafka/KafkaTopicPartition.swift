/// A topic and partition pair, as returned by ``KafkaConsumer/assignment()``.
///
/// Why a struct rather than a tuple: the host keys per-partition state (pause flags, in-flight
/// counts) by it, which needs `Hashable`.
public struct KafkaTopicPartition: Sendable, Hashable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(topic: String, partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)[\(partition)]" }
}

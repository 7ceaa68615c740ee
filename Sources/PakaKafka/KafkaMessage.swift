/// A record as received by ``KafkaConsumer/poll(maxMessages:timeout:)``.
///
/// Why everything is copied into Swift arrays: librdkafka owns the message memory only until the
/// message is destroyed, which happens before `poll` returns; the copy lets the host hand messages
/// to plugins on any thread without lifetime rules.
public struct KafkaMessage: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    /// The message's own offset. To mark it processed pass this value to
    /// ``KafkaConsumer/storeOffset(topic:partition:offset:)`` (which stores `offset + 1`).
    public var offset: Int64
    /// The record key, `nil` when the record has no key (as opposed to an empty key).
    public var key: [UInt8]?
    /// The record value; a null (tombstone) value is returned as an empty array.
    public var value: [UInt8]
    /// Headers in wire order (names may repeat).
    public var headers: [KafkaHeader]
    /// Record timestamp in milliseconds since the epoch, when the broker supplied one.
    public var timestamp: Int64?

    public init(topic: String, partition: Int32, offset: Int64, key: [UInt8]?, value: [UInt8],
                headers: [KafkaHeader] = [], timestamp: Int64? = nil) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }

    /// The first header with this name, if any (the common case of unique header names).
    public func header(named name: String) -> KafkaHeader? {
        headers.first { $0.name == name }
    }
}

/// Where a produced message ended up, as confirmed by the broker's acknowledgement.
///
/// Why it exists: with `acks=all` a successful delivery report means the record is durably
/// replicated, so the host can report the coordinates (e.g. to the API caller) as a receipt.
public struct KafkaDelivery: Sendable, Hashable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    /// Broker-assigned or producer-assigned timestamp (ms since epoch), when known.
    public var timestamp: Int64?

    public init(topic: String, partition: Int32, offset: Int64, timestamp: Int64? = nil) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestamp = timestamp
    }
}

/// One event as handed to a plugin's `handle`.
public struct PluginEvent: Sendable, Equatable {
    public var id: String
    public var topic: String
    public var key: [UInt8]
    /// The CloudEvents JSON envelope.
    public var payload: [UInt8]
    /// -1 when processed synchronously (no Kafka).
    public var partition: Int32
    public var offset: Int64
    public var attempt: UInt32

    public init(id: String, topic: String, key: [UInt8], payload: [UInt8], partition: Int32 = -1, offset: Int64 = -1, attempt: UInt32 = 1) {
        self.id = id
        self.topic = topic
        self.key = key
        self.payload = payload
        self.partition = partition
        self.offset = offset
        self.attempt = attempt
    }
}

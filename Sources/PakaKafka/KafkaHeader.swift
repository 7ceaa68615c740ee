/// One Kafka record header.
///
/// Why `value` is optional: Kafka distinguishes a header with a null value from one with an empty
/// value, and processors may rely on that distinction, so it is preserved both ways.
public struct KafkaHeader: Sendable, Hashable {
    /// Header name; Kafka allows duplicates, so a message carries an ordered array of these.
    public var name: String
    /// Header value, `nil` for a null value.
    public var value: [UInt8]?

    public init(name: String, value: [UInt8]?) {
        self.name = name
        self.value = value
    }

    /// Convenience for the common UTF-8 text header.
    public init(name: String, string: String) {
        self.init(name: name, value: Array(string.utf8))
    }
}

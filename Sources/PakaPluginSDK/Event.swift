import Foundation

/// One event, copied out of the host's borrowed buffers.
public struct Event: Sendable {
    /// CloudEvents id: the idempotency key.
    public let id: String
    public let topic: String
    /// Kafka key (the resource id).
    public let key: String
    /// The CloudEvents JSON envelope, as received.
    public let envelope: [UInt8]
    /// -1 when processed synchronously.
    public let partition: Int32
    public let offset: Int64
    /// 1 on first delivery.
    public let attempt: UInt32

    public init(id: String, topic: String, key: String, envelope: [UInt8], partition: Int32 = -1, offset: Int64 = -1, attempt: UInt32 = 1) {
        self.id = id
        self.topic = topic
        self.key = key
        self.envelope = envelope
        self.partition = partition
        self.offset = offset
        self.attempt = attempt
    }

    private struct Envelope<T: Decodable>: Decodable { let data: T }

    /// Decodes the envelope's `data`; a malformed event throws `PluginError.fail` saying why.
    public func data<T: Decodable>(as type: T.Type = T.self) throws -> T {
        do {
            return try JSONDecoder().decode(Envelope<T>.self, from: Data(envelope)).data
        } catch {
            throw PluginError.fail("event \(id) on \(topic): data is not a valid \(T.self): \(error)")
        }
    }

    /// The envelope's `data` as loosely typed JSON (objects become `[String: Any]`).
    public func dataObject() throws -> [String: Any] {
        // The host parsed this envelope before handing it over; the FAIL below names the event,
        // which is what an operator needs (the parser's byte offset would add nothing).
        guard let root = try? JSONSerialization.jsonObject(with: Data(envelope)) as? [String: Any] else {
            throw PluginError.fail("event \(id) on \(topic): envelope is not a JSON object")
        }
        guard let data = root["data"] as? [String: Any] else {
            throw PluginError.fail("event \(id) on \(topic): 'data' is missing or not an object")
        }
        return data
    }
}

import Foundation
import PakaKafka
import PakaPluginHost

/// Checks a consumed Kafka message before a plugin sees it — or says why it is poison (not
/// JSON, not a CloudEvent, too large, bad UTF-8), so the loop dead-letters it and goes on — and
/// builds the event the plugin gets.
enum InboundEvent {
    /// The message's CloudEvent `id` when it is a valid event, else why it is poison.
    ///
    /// Why only the id and not a whole `PluginEvent`: the loop keeps every unfinished message,
    /// and an event per message would hold a second reference to its topic, key and payload.
    static func check(_ message: KafkaMessage, maxBytes: Int) -> Result<String, PoisonMessage> {
        guard message.value.count <= maxBytes else {
            return .failure(PoisonMessage(reason: "event is \(message.value.count) bytes; the limit is \(maxBytes) (PAKA_MAX_EVENT_BYTES)"))
        }
        guard isValidUTF8(message.value) else {
            return .failure(PoisonMessage(reason: "payload is not valid UTF-8"))
        }
        switch CloudEvent.validatedId(of: message.value) {
        case .failure(let failure):
            return .failure(PoisonMessage(reason: "not a CloudEvent: \(failure)"))
        case .success(let id):
            return .success(id)
        }
    }

    /// The event handed to the plugin for a message that passed ``check(_:maxBytes:)``.
    static func pluginEvent(_ message: KafkaMessage, id: String, attempt: Int) -> PluginEvent {
        PluginEvent(id: id, topic: message.topic, key: message.key ?? [], payload: message.value,
                    partition: message.partition, offset: message.offset, attempt: UInt32(attempt))
    }

    /// Why not `String(validating:)` alone: it builds a String per event just to throw it away.
    /// Envelopes are almost always ASCII, which is checked eight bytes at a time.
    static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        let ascii = bytes.withUnsafeBytes { raw -> Bool in
            var offset = 0
            var high: UInt64 = 0
            while offset + 8 <= raw.count {
                high |= raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                offset += 8
            }
            while offset < raw.count {
                high |= UInt64(raw[offset])
                offset += 1
            }
            return high & 0x8080_8080_8080_8080 == 0
        }
        return ascii || String(validating: bytes, as: UTF8.self) != nil
    }
}

struct PoisonMessage: Error, Equatable {
    let reason: String
}

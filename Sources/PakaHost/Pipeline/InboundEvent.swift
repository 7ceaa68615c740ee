import Foundation
import PakaKafka

/// Turns a consumed Kafka message into the event a plugin gets — or says why it is poison
/// (not JSON, not a CloudEvent, too large, bad UTF-8), so the loop dead-letters it and goes on.
enum InboundEvent {
    static func decode(_ message: KafkaMessage, maxBytes: Int) -> Result<PluginEvent, PoisonMessage> {
        guard message.value.count <= maxBytes else {
            return .failure(PoisonMessage(reason: "event is \(message.value.count) bytes; the limit is \(maxBytes) (PAKA_MAX_EVENT_BYTES)"))
        }
        guard String(validating: message.value, as: UTF8.self) != nil else {
            return .failure(PoisonMessage(reason: "payload is not valid UTF-8"))
        }
        switch CloudEvent.requiredAttributes(of: message.value) {
        case .failure(let failure):
            return .failure(PoisonMessage(reason: "not a CloudEvent: \(failure)"))
        case .success(let attributes):
            return .success(PluginEvent(id: attributes.id, topic: message.topic, key: message.key ?? [], payload: message.value,
                                        partition: message.partition, offset: message.offset))
        }
    }
}

struct PoisonMessage: Error, Equatable {
    let reason: String
}

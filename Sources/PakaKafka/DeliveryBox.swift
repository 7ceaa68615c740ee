import CRdKafka

/// Carries one message's completion through librdkafka as the per-message opaque (`_private`).
///
/// Why a box: C can only hold a pointer, so the completion is boxed and passed retained
/// (`Unmanaged.passRetained`) when the message is enqueued; librdkafka calls `dr_msg_cb` exactly
/// once for every enqueued message, where the box is consumed (`takeRetainedValue`). If enqueueing
/// fails synchronously the producer releases the box itself. Either way retain/release balance,
/// which is also what makes resuming an unchecked continuation from here safe: it happens once.
final class DeliveryBox: Sendable {
    enum Completion: Sendable {
        case callback(@Sendable (Result<KafkaDelivery, KafkaError>) -> Void)
        /// An awaiting ``KafkaProducer/send(topic:key:value:headers:)``, resumed directly: no
        /// closure to allocate per message on the await path.
        case continuation(UnsafeContinuation<Result<KafkaDelivery, KafkaError>, Never>)
    }

    let completion: Completion
    /// Kept from the send so the report needs no C string copy of the topic name per message.
    let topic: String

    init(topic: String, completion: Completion) {
        self.topic = topic
        self.completion = completion
    }

    func complete(_ result: Result<KafkaDelivery, KafkaError>) {
        switch completion {
        case .callback(let callback): callback(result)
        case .continuation(let continuation): continuation.resume(returning: result)
        }
    }

    /// Called from `dr_msg_cb` on the producer's poll thread.
    static func complete(message: UnsafePointer<rd_kafka_message_t>, context: ClientContext?) {
        guard let opaque = message.pointee._private else { return }
        let box = Unmanaged<DeliveryBox>.fromOpaque(opaque).takeRetainedValue()
        let topic = box.topic
        let err = message.pointee.err
        if err == RD_KAFKA_RESP_ERR_NO_ERROR {
            context?.setConnected(true)  // an acknowledged write proves connectivity
            let timestamp = rd_kafka_message_timestamp(message, nil)
            box.complete(.success(KafkaDelivery(
                topic: topic, partition: message.pointee.partition, offset: message.pointee.offset,
                timestamp: timestamp >= 0 ? timestamp : nil)))
        } else {
            let hint: String
            switch err {
            case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
                hint = "no broker acknowledged it within message.timeout.ms; check broker connectivity"
            case RD_KAFKA_RESP_ERR__PURGE_QUEUE, RD_KAFKA_RESP_ERR__PURGE_INFLIGHT:
                hint = "the producer was shut down before the message was delivered"
            case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
                hint = "create the topic '\(topic)' first"
            default:
                hint = "see the producer log for details"
            }
            box.complete(.failure(KafkaError(err, "delivery to topic '\(topic)' failed", hint: hint)))
        }
    }
}

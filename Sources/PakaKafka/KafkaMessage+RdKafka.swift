import CRdKafka

extension KafkaMessage {
    /// Copies a consumed `rd_kafka_message_t` (which must not be an error event) into Swift.
    ///
    /// Why copy everything: the C message is destroyed right after this, and the host hands the
    /// result to plugins on other threads.
    init(copying message: UnsafePointer<rd_kafka_message_t>, topicNames: inout TopicNameCache) {
        let m = message.pointee
        let topic = topicNames.name(of: m.rkt)
        let value = m.payload.map {
            Array(UnsafeRawBufferPointer(start: $0, count: m.len))
        } ?? []
        let key = m.key.map { Array(UnsafeRawBufferPointer(start: $0, count: m.key_len)) }
        let timestamp = rd_kafka_message_timestamp(message, nil)
        self.init(topic: topic, partition: m.partition, offset: m.offset, key: key, value: value,
                  headers: Self.headers(of: message), timestamp: timestamp >= 0 ? timestamp : nil)
    }

    private static func headers(of message: UnsafePointer<rd_kafka_message_t>) -> [KafkaHeader] {
        var list: OpaquePointer?
        // rd_kafka_message_headers returns a view owned by the message: do not destroy it.
        guard rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR,
              let list else { return [] }
        var headers: [KafkaHeader] = []
        var index = 0
        while true {
            var name: UnsafePointer<CChar>?
            var value: UnsafeRawPointer?
            var size = 0
            guard rd_kafka_header_get_all(list, index, &name, &value, &size)
                    == RD_KAFKA_RESP_ERR_NO_ERROR else { break }
            let bytes = value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }
            headers.append(KafkaHeader(name: name.map { String(cString: $0) } ?? "", value: bytes))
            index += 1
        }
        return headers
    }
}

import CRdKafka

/// The C entry points librdkafka calls, as capture-less closures convertible to C function pointers.
///
/// Why a namespace: every callback has the same shape — recover the ``ClientContext`` from the
/// configuration opaque (`Unmanaged`, unretained: ``RdKafkaHandle`` holds the +1 for the handle's
/// lifetime) and forward to Swift. Delivery reports additionally consume the per-message
/// ``DeliveryBox`` retained by ``KafkaProducer`` when the message was enqueued.
enum RdKafkaCallbacks {
    static func context(_ opaque: UnsafeMutableRawPointer?) -> ClientContext? {
        guard let opaque else { return nil }
        return Unmanaged<ClientContext>.fromOpaque(opaque).takeUnretainedValue()
    }

    /// Installs the callbacks every client uses; `dr_msg_cb` only for producers.
    static func install(on conf: OpaquePointer, deliveryReports: Bool, statistics: Bool) {
        rd_kafka_conf_set_error_cb(conf) { _, err, reason, opaque in
            let text = reason.map { String(cString: $0) } ?? "unknown error"
            RdKafkaCallbacks.context(opaque)?.handleError(code: rd_kafka_resp_err_t(err), reason: text)
        }
        rd_kafka_conf_set_log_cb(conf) { rk, level, facility, buf in
            guard let rk, let ctx = RdKafkaCallbacks.context(rd_kafka_opaque(rk)) else { return }
            ctx.handleLog(level: level, facility: facility.map { String(cString: $0) } ?? "",
                          message: buf.map { String(cString: $0) } ?? "")
        }
        if statistics {
            rd_kafka_conf_set_stats_cb(conf) { _, json, length, opaque in
                if let json, let ctx = RdKafkaCallbacks.context(opaque) {
                    let buffer = UnsafeRawBufferPointer(start: json, count: length)
                    ctx.onStatistics?(String(decoding: buffer, as: UTF8.self))
                }
                return 0  // librdkafka frees the JSON buffer
            }
        }
        if deliveryReports {
            rd_kafka_conf_set_dr_msg_cb(conf) { _, message, opaque in
                guard let message else { return }
                DeliveryBox.complete(message: message, context: RdKafkaCallbacks.context(opaque))
            }
        }
    }
}

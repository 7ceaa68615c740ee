import CRdKafka
import Synchronization

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

    /// Installs the callbacks every client uses; `dr_msg_cb` only for producers, `rebalance_cb`
    /// only for consumers.
    static func install(on conf: OpaquePointer, deliveryReports: Bool, rebalance: Bool, statistics: Bool) {
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
        if rebalance {
            rd_kafka_conf_set_rebalance_cb(conf) { rk, err, partitions, opaque in
                guard let rk else { return }
                let context = RdKafkaCallbacks.context(opaque)
                RdKafkaCallbacks.applyRebalance(rk, err, partitions, context: context)
                context?.assignmentChanges.add(1, ordering: .releasing)
            }
        }
        if deliveryReports {
            rd_kafka_conf_set_dr_msg_cb(conf) { _, message, opaque in
                guard let message else { return }
                DeliveryBox.complete(message: message, context: RdKafkaCallbacks.context(opaque))
            }
        }
    }

    /// Applies a rebalance exactly as librdkafka does when no callback is set (the example in
    /// rdkafka.h). The callback exists only so the consumer learns that its assignment changed
    /// without asking librdkafka's main thread after every poll.
    private static func applyRebalance(_ rk: OpaquePointer, _ err: rd_kafka_resp_err_t,
                                       _ partitions: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?,
                                       context: ClientContext?) {
        let cooperative = rd_kafka_rebalance_protocol(rk).map { String(cString: $0) == "COOPERATIVE" } ?? false
        if err != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS, let partitions {
            let revoked = (0..<Int(partitions.pointee.cnt)).map {
                KafkaTopicPartition(topic: String(cString: partitions.pointee.elems[$0].topic), partition: partitions.pointee.elems[$0].partition)
            }
            context?.revokedPartitions.withLock { $0.formUnion(revoked) }
        }
        var failure: String?
        switch err {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS where cooperative:
            failure = message(of: rd_kafka_incremental_assign(rk, partitions))
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            failure = describe(rd_kafka_assign(rk, partitions))
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS where cooperative:
            failure = message(of: rd_kafka_incremental_unassign(rk, partitions))
        default:  // eager revoke, or a failed rebalance: drop the whole assignment to resync
            failure = describe(rd_kafka_assign(rk, nil))
        }
        if let failure {
            context?.logger.warning("kafka rebalance: applying the new assignment failed", metadata: [
                "event": "\(String(cString: rd_kafka_err2name(err)))", "error": "\(failure)"])
        }
    }

    /// The message of an `rd_kafka_error_t`, which it destroys; nil for success.
    private static func message(of error: OpaquePointer?) -> String? {
        guard let error else { return nil }
        defer { rd_kafka_error_destroy(error) }
        return String(cString: rd_kafka_error_string(error))
    }

    private static func describe(_ err: rd_kafka_resp_err_t) -> String? {
        err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : String(cString: rd_kafka_err2str(err))
    }
}

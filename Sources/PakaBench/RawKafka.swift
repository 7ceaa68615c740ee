import CRdKafka
import Foundation

/// The baselines: librdkafka driven directly through its C API, as a hand-written client would,
/// with the same settings the host uses (idempotent, acks=all).
enum RawKafka {
    static func conf(_ pairs: [(String, String)]) -> OpaquePointer {
        let conf = rd_kafka_conf_new()!
        var error = [CChar](repeating: 0, count: 512)
        for (key, value) in pairs where rd_kafka_conf_set(conf, key, value, &error, error.count) != RD_KAFKA_CONF_OK {
            fatalError("bad property \(key)")
        }
        return conf
    }

    /// Produces `count` copies of `payload` with rd_kafka_produce; returns seconds until all acked.
    static func produce(bootstrap: String, topic: String, payload: [UInt8], count: Int) -> Double {
        var error = [CChar](repeating: 0, count: 512)
        let conf = conf([("bootstrap.servers", bootstrap), ("enable.idempotence", "true"), ("acks", "all")])
        let rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, &error, error.count)!
        let rkt = rd_kafka_topic_new(rk, topic, nil)!
        let start = Date()
        var keyBytes = Array("key-000000".utf8)
        for i in 0..<count {
            keyBytes.withUnsafeMutableBytes { key in
                let digits = Array(String(format: "%06d", i % 1_000_000).utf8)
                for (j, d) in digits.enumerated() { key[4 + j] = d }
                payload.withUnsafeBytes { value in
                    while rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, UnsafeMutableRawPointer(mutating: value.baseAddress),
                                           value.count, key.baseAddress, key.count, nil) != 0 {
                        rd_kafka_poll(rk, 10)  // queue full: serve delivery reports
                    }
                }
            }
            if i % 1000 == 0 { rd_kafka_poll(rk, 0) }
        }
        while rd_kafka_outq_len(rk) > 0 { rd_kafka_poll(rk, 50) }
        let seconds = Date().timeIntervalSince(start)
        rd_kafka_topic_destroy(rkt)
        rd_kafka_destroy(rk)
        return seconds
    }

    /// Consumes `count` messages in a new group; returns seconds from the first to the last.
    static func consume(bootstrap: String, topic: String, count: Int) -> Double {
        var error = [CChar](repeating: 0, count: 512)
        let conf = conf([("bootstrap.servers", bootstrap), ("group.id", "bench-raw-\(UUID().uuidString)"), ("auto.offset.reset", "earliest")])
        let rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, &error, error.count)!
        rd_kafka_poll_set_consumer(rk)
        let list = rd_kafka_topic_partition_list_new(1)!
        rd_kafka_topic_partition_list_add(list, topic, RD_KAFKA_PARTITION_UA)
        rd_kafka_subscribe(rk, list)
        rd_kafka_topic_partition_list_destroy(list)
        var received = 0
        var start: Date?
        while received < count {
            guard let message = rd_kafka_consumer_poll(rk, 100) else { continue }
            if message.pointee.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                if start == nil { start = Date() }
                received += 1
            }
            rd_kafka_message_destroy(message)
        }
        let seconds = Date().timeIntervalSince(start ?? Date())
        rd_kafka_consumer_close(rk)
        rd_kafka_destroy(rk)
        return seconds
    }
}

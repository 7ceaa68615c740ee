import CRdKafka

/// Owns one `rd_kafka_t` and the ``ClientContext`` its callbacks reach.
///
/// Why a class of its own: the C handle must be destroyed exactly once, after every thread that
/// polls it has stopped, and the callback context must stay alive until `rd_kafka_destroy`
/// returns. Whoever releases the last reference (the client, or its poll thread when the client
/// was released from inside a callback) runs `deinit`, which destroys the handle and then drops
/// the context's +1 retain taken at creation. `@unchecked Sendable`: librdkafka handles are
/// thread-safe; lifetime is managed by this class.
final class RdKafkaHandle: @unchecked Sendable {
    enum Kind {
        case producer, consumer
    }

    let pointer: OpaquePointer
    let context: ClientContext
    private let retainedContext: Unmanaged<ClientContext>

    init(kind: Kind, configuration: KafkaConfiguration, defaults: [(String, String)] = [],
         required: [(String, String)] = [], context: ClientContext) throws(KafkaError) {
        let conf = try RdKafkaConf.make(configuration, defaults: defaults, required: required)
        let retained = Unmanaged.passRetained(context)
        rd_kafka_conf_set_opaque(conf, retained.toOpaque())
        RdKafkaCallbacks.install(on: conf, deliveryReports: kind == .producer, rebalance: kind == .consumer,
                                 statistics: context.onStatistics != nil)
        var errstr = [CChar](repeating: 0, count: 512)
        let type = kind == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER
        guard let rk = rd_kafka_new(type, conf, &errstr, errstr.count) else {
            // On failure the conf is still ours, and no callback can fire any more.
            rd_kafka_conf_destroy(conf)
            retained.release()
            let detail = RdKafkaConf.redact(errstr.nulTerminatedString,
                                            secrets: Array(configuration.properties.values))
            throw KafkaError(code: RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue,
                             message: "could not create the Kafka client: \(detail) — check the "
                                 + "KAFKA_PROPERTY_* settings")
        }
        self.pointer = rk
        self.context = context
        self.retainedContext = retained
    }

    deinit {
        rd_kafka_destroy(pointer)
        retainedContext.release()
    }

    /// `rd_kafka_fatal_error`: non-nil once the instance is unusable (idempotence violated etc.).
    var fatalError: KafkaError? {
        var errstr = [CChar](repeating: 0, count: 512)
        let err = rd_kafka_fatal_error(pointer, &errstr, errstr.count)
        if err == RD_KAFKA_RESP_ERR_NO_ERROR { return nil }
        return KafkaError(code: err.rawValue, message:
            "fatal Kafka client error (\(String(cString: rd_kafka_err2name(err)))): "
            + "\(errstr.nulTerminatedString) — recreate the client", isFatal: true)
    }

    /// Asks any broker for cluster metadata (no topics): success proves a working connection.
    /// Blocks up to `timeout`.
    func fetchMetadata(timeout: Duration) -> Result<Void, KafkaError> {
        var metadata: UnsafePointer<rd_kafka_metadata>?
        let err = rd_kafka_metadata(pointer, 0, nil, &metadata, timeout.clampedMilliseconds)
        if let metadata { rd_kafka_metadata_destroy(metadata) }
        if err == RD_KAFKA_RESP_ERR_NO_ERROR { return .success(()) }
        return .failure(KafkaError(err, "metadata request failed",
                                   hint: "check KAFKA_BROKERS and that the brokers are up"))
    }
}

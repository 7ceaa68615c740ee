import CRdKafka
import Logging
import Synchronization

/// The Swift object librdkafka's callbacks reach through the configuration opaque.
///
/// Why a separate object (not the producer/consumer itself): callbacks keep firing until
/// `rd_kafka_destroy` returns, i.e. during the owner's deinit, so the target must outlive the
/// owner. ``RdKafkaHandle`` retains it for exactly as long as the C handle exists. Why a `Mutex`
/// and not an actor: callbacks run synchronously on librdkafka or poll threads and must update
/// state without hopping executors.
final class ClientContext: Sendable {
    struct State: Sendable {
        /// See ``KafkaProducer/isConnected``: false until proven otherwise.
        var isConnected = false
        /// The last error reported through `error_cb`, for diagnostics.
        var lastError: KafkaError?
    }

    let logger: Logger
    let state = Mutex(State())
    let onStatistics: (@Sendable (String) -> Void)?
    /// Counts the assignment changes the rebalance callback applied (consumers only).
    let assignmentChanges = Atomic<Int>(0)
    /// Partitions revoked since the consumer last asked (consumers only): a partition revoked and
    /// assigned again within one poll is in the assignment before and after, yet what was fetched
    /// for it before the revoke is stale (librdkafka fetches it again from the committed offset).
    let revokedPartitions = Mutex<Set<KafkaTopicPartition>>([])
    /// Set when the owner has shut the client down (producer `shutdown`, consumer `close`). The C
    /// handle lives on until the owner's deinit and librdkafka's broker threads keep reconnecting
    /// meanwhile, to a cluster that may be gone (the host stops its embedded cluster last): what
    /// they log then is about a client nobody uses, so it is logged at debug, not as errors.
    let isRetired = Atomic<Bool>(false)

    init(logger: Logger, onStatistics: (@Sendable (String) -> Void)?) {
        self.logger = logger
        self.onStatistics = onStatistics
    }

    var isConnected: Bool { state.withLock { $0.isConnected } }

    func setConnected(_ connected: Bool) {
        let changed = state.withLock { state -> Bool in
            defer { state.isConnected = connected }
            return state.isConnected != connected
        }
        if changed { logger.info("kafka connectivity changed", metadata: ["connected": "\(connected)"]) }
    }

    /// `error_cb`: librdkafka reports client-level errors here; they are informational except
    /// `_FATAL`, and the ones that mean "no broker reachable" drive ``isConnected``.
    func handleError(code: rd_kafka_resp_err_t, reason: String) {
        let error = KafkaError(code: code.rawValue, message: reason,
                               isFatal: code == RD_KAFKA_RESP_ERR__FATAL)
        state.withLock { $0.lastError = error }
        switch code {
        case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__RESOLVE,
             RD_KAFKA_RESP_ERR__AUTHENTICATION, RD_KAFKA_RESP_ERR__SSL:
            setConnected(false)
            logger.warning("kafka brokers unreachable", metadata: ["error": "\(error)"])
        case RD_KAFKA_RESP_ERR__FATAL:
            logger.error("kafka client raised a fatal error; it must be recreated",
                         metadata: ["error": "\(error)"])
        default:
            // A single broker connection dropping (_TRANSPORT) is not "disconnected": librdkafka
            // reconnects and reports _ALL_BROKERS_DOWN when the last one goes.
            logger.notice("kafka client error", metadata: ["error": "\(error)"])
        }
    }

    /// `log_cb`: librdkafka's own log lines, mapped from syslog levels onto swift-log levels.
    func handleLog(level: Int32, facility: String, message: String) {
        let swiftLevel: Logger.Level
        switch level {
        case ...2: swiftLevel = .critical
        case 3: swiftLevel = .error
        case 4: swiftLevel = .warning
        case 5: swiftLevel = .notice
        case 6: swiftLevel = .info
        default: swiftLevel = .debug
        }
        logger.log(level: isRetired.load(ordering: .relaxed) ? .debug : swiftLevel, "\(message)", metadata: ["rdkafka.facility": "\(facility)"])
    }
}

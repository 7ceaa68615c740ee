import CRdKafka

/// The one error type of `PakaKafka`.
///
/// Why a single struct and not an enum: almost every failure originates in librdkafka and carries a
/// numeric `rd_kafka_resp_err_t` code that callers may want to branch on (``Code``), while the
/// host mostly wants a message an operator can act on. So every error has a readable ``message``
/// that says what went wrong *and how to fix it*, and, when librdkafka produced one, the ``code``.
///
/// Messages never contain property values: those may be secrets (SASL passwords, SSL keys).
public struct KafkaError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The librdkafka error code (`rd_kafka_resp_err_t`), or `nil` for errors raised by this module
    /// itself (e.g. a configuration that could not be applied for a non-librdkafka reason).
    public let code: Int32?
    /// What went wrong and, where there is one, how to fix it.
    public let message: String
    /// librdkafka marked the error as fatal: the client instance is unusable and must be recreated.
    public let isFatal: Bool
    /// librdkafka marked the error as retriable: the same operation may succeed later.
    public let isRetriable: Bool
    /// A transactional call failed in a way that needs `abortTransaction` before the producer
    /// can begin another transaction (librdkafka's `txn_requires_abort`).
    public let requiresAbort: Bool

    /// Creates an error; `code` is the librdkafka code when there is one.
    public init(code: Int32?, message: String, isFatal: Bool = false, isRetriable: Bool = false, requiresAbort: Bool = false) {
        self.code = code
        self.message = message
        self.isFatal = isFatal
        self.isRetriable = isRetriable
        self.requiresAbort = requiresAbort
    }

    /// The symbolic librdkafka name of ``code`` (e.g. `_MSG_TIMED_OUT`), for logs and metrics.
    public var codeName: String? {
        code.map { String(cString: rd_kafka_err2name(rd_kafka_resp_err_t($0))) }
    }

    public var description: String {
        if let codeName { return "KafkaError(\(codeName)): \(message)" }
        return "KafkaError: \(message)"
    }

    /// librdkafka error codes the host is expected to branch on. They are plain `Int32`s so that no C
    /// type leaks into the public API; the values are read from the C header at build time.
    public enum Code {
        /// A message was not delivered within `message.timeout.ms`.
        public static let messageTimedOut: Int32 = RD_KAFKA_RESP_ERR__MSG_TIMED_OUT.rawValue
        /// The local producer queue is full (`queue.buffering.max.messages`/`.kbytes`).
        public static let queueFull: Int32 = RD_KAFKA_RESP_ERR__QUEUE_FULL.rawValue
        /// Every configured broker is unreachable.
        public static let allBrokersDown: Int32 = RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN.rawValue
        /// A broker connection failed.
        public static let transport: Int32 = RD_KAFKA_RESP_ERR__TRANSPORT.rawValue
        /// A local operation did not finish within its timeout.
        public static let timedOut: Int32 = RD_KAFKA_RESP_ERR__TIMED_OUT.rawValue
        /// The topic is not known to the client (local check).
        public static let unknownTopic: Int32 = RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC.rawValue
        /// The broker says the topic or partition does not exist.
        public static let unknownTopicOrPartition: Int32 = RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART.rawValue
        /// The client instance raised a fatal error (see ``KafkaProducer/fatalError``).
        public static let fatal: Int32 = RD_KAFKA_RESP_ERR__FATAL.rawValue
        /// The message was purged from the local queue (producer shut down before delivery).
        public static let purgedFromQueue: Int32 = RD_KAFKA_RESP_ERR__PURGE_QUEUE.rawValue
        /// The message was purged while in flight (producer shut down before delivery).
        public static let purgedInFlight: Int32 = RD_KAFKA_RESP_ERR__PURGE_INFLIGHT.rawValue
        /// The broker does not support the request (e.g. CreateTopics on the mock cluster).
        public static let unsupportedFeature: Int32 = RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE.rawValue
        /// Invalid argument or configuration.
        public static let invalidArgument: Int32 = RD_KAFKA_RESP_ERR__INVALID_ARG.rawValue
        /// The operation is not valid in the client's current state (e.g. partition not assigned).
        public static let invalidState: Int32 = RD_KAFKA_RESP_ERR__STATE.rawValue
    }
}

extension KafkaError {
    /// Builds an error from a librdkafka code, with `what` saying which operation failed and
    /// `hint` how to fix it. Internal: callers outside the module never see C types.
    init(_ err: rd_kafka_resp_err_t, _ what: String, hint: String? = nil,
         isFatal: Bool = false, isRetriable: Bool = false) {
        var text = "\(what): \(String(cString: rd_kafka_err2str(err)))"
        if let hint { text += " — \(hint)" }
        self.init(code: err.rawValue, message: text, isFatal: isFatal, isRetriable: isRetriable)
    }

    /// Takes ownership of an `rd_kafka_error_t` (destroying it) and turns it into a `KafkaError`.
    init(consuming error: OpaquePointer, _ what: String, hint: String? = nil) {
        defer { rd_kafka_error_destroy(error) }
        var text = "\(what): \(String(cString: rd_kafka_error_string(error)))"
        if let hint { text += " — \(hint)" }
        self.init(
            code: rd_kafka_error_code(error).rawValue, message: text,
            isFatal: rd_kafka_error_is_fatal(error) != 0,
            isRetriable: rd_kafka_error_is_retriable(error) != 0,
            requiresAbort: rd_kafka_error_txn_requires_abort(error) != 0)
    }
}

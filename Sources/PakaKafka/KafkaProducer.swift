import CRdKafka
import Glibc
import Logging
import Synchronization

/// The host's idempotent Kafka producer.
///
/// Why these settings: `enable.idempotence=true` with `acks=all` gives exactly-once-per-partition
/// writes without duplicates on retry, so processors can treat a successful delivery as final.
/// Both are enforced (applied after `KAFKA_PROPERTY_*`). Delivery reports arrive on a dedicated
/// poll thread (``PollLoop``), and every successfully enqueued message gets exactly one completion
/// — success, broker failure, timeout (`message.timeout.ms`), or purge at shutdown.
///
/// With idempotence, librdkafka can raise a fatal error (e.g. after an outage made the producer
/// lose track of sequence numbers); check ``fatalError`` and recreate the producer when it is set.
public final class KafkaProducer: Sendable {
    let handle: RdKafkaHandle
    private let pollLoop: PollLoop
    private let logger: Logger
    private let isShutDown = Mutex(false)
    /// Sends between their shut-down check and librdkafka taking the message: `shutdown` waits
    /// for them, or a message enqueued after its flush would wait forever for a delivery report.
    private let enqueuing = Atomic<Int>(0)

    /// Creates the producer and starts its poll thread. Throws a ``KafkaError`` naming the
    /// property when the configuration is invalid. `onStatistics` receives librdkafka's statistics
    /// JSON every `statistics.interval.ms` (set that property to enable it) on the poll thread.
    ///
    /// `transactionalId` makes it a transactional producer (see `KafkaProducer+Transactions.swift`):
    /// call ``initTransactions(timeout:)`` once, then send only inside a transaction.
    public init(configuration: KafkaConfiguration, logger: Logger, transactionalId: String? = nil,
                onStatistics: (@Sendable (String) -> Void)? = nil) throws(KafkaError) {
        var logger = logger
        logger[metadataKey: "kafka.client"] = "producer"
        self.logger = logger
        let context = ClientContext(logger: logger, onStatistics: onStatistics)
        handle = try RdKafkaHandle(
            kind: .producer, configuration: configuration, defaults: Self.defaults,
            required: [("enable.idempotence", "true"), ("acks", "all")] + (transactionalId.map { [("transactional.id", $0)] } ?? []),
            context: context)
        pollLoop = PollLoop(handle: handle)
        pollLoop.start(name: "paka-kafka-producer-poll")
        logger.debug("kafka producer created", metadata: ["config": "\(configuration)"])
    }

    /// Defaults an operator can override with `KAFKA_PROPERTY_*`.
    ///
    /// `linger.ms` (librdkafka: 5 ms) is how long a message waits for more to batch with before it
    /// is sent. A fire-and-forget producer never notices; the host's publishers await each
    /// acknowledgement (an HTTP request waits for its own event), so every publish pays it, and
    /// with a bounded number in flight it caps throughput at in-flight ÷ round trip. Under load
    /// batches still fill while earlier requests are on the wire.
    static let defaults: [(String, String)] = [("linger.ms", "1")]

    deinit {
        pollLoop.stop()
        // Give still-queued messages their (purge) completion so no callback is lost and no
        // DeliveryBox leaks. Skipped when released from a callback on the poll thread itself,
        // where re-entering rd_kafka_poll is forbidden.
        if !pollLoop.isRunningOnCurrentThread {
            rd_kafka_purge(handle.pointer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
            _ = rd_kafka_flush(handle.pointer, 500)  // serves the purge reports; bounded
        }
    }

    /// Enqueues one message; `onDelivery` is called exactly once, on the poll thread, with the
    /// partition and offset or with the failure. Keep the callback short (hand work off).
    ///
    /// Throws synchronously, without calling `onDelivery`, when the message cannot even be
    /// enqueued: local queue full, unknown topic/partition already known to the client, message
    /// too large, fatal producer error, or after ``shutdown(timeout:)``.
    public func send(topic: String, key: [UInt8]? = nil, value: [UInt8], headers: [KafkaHeader] = [],
                     onDelivery: @escaping @Sendable (Result<KafkaDelivery, KafkaError>) -> Void)
        throws(KafkaError)
    {
        try enqueue(topic: topic, key: key, value: value, headers: headers,
                    box: DeliveryBox(topic: topic, completion: .callback(onDelivery)))
    }

    /// Enqueues one message and suspends until the broker acknowledged it (or delivery failed).
    public func send(topic: String, key: [UInt8]? = nil, value: [UInt8],
                     headers: [KafkaHeader] = []) async throws(KafkaError) -> KafkaDelivery {
        // Unchecked: the DeliveryBox is consumed exactly once (report, or enqueue failure below),
        // so the continuation is resumed exactly once; the checked variant would add a tracking
        // object per message to guard what the box already guarantees.
        let result = await withUnsafeContinuation {
            (continuation: UnsafeContinuation<Result<KafkaDelivery, KafkaError>, Never>) in
            do throws(KafkaError) {
                try enqueue(topic: topic, key: key, value: value, headers: headers,
                            box: DeliveryBox(topic: topic, completion: .continuation(continuation)))
            } catch {
                continuation.resume(returning: .failure(error))
            }
        }
        return try result.get()
    }

    /// Hands one message to librdkafka with `box` as its opaque; on failure the box is released
    /// unused (its completion is not called) and the error thrown.
    private func enqueue(topic: String, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader],
                         box: DeliveryBox) throws(KafkaError) {
        let accepted = isShutDown.withLock { down -> Bool in
            if !down { enqueuing.add(1, ordering: .relaxed) }  // the lock orders it against shutdown
            return !down
        }
        guard accepted else {
            throw KafkaError(code: nil, message: "cannot send to '\(topic)': the producer was shut "
                + "down — create a new KafkaProducer")
        }
        defer { enqueuing.subtract(1, ordering: .releasing) }
        var capacity = CArena.size(of: topic) + value.count + (key?.count ?? 0)
        for header in headers { capacity += CArena.size(of: header.name) + (header.value?.count ?? 0) }
        let opaque = Unmanaged.passRetained(box)
        let error = CArena.with(capacity: capacity) { arena in
            withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 5 + headers.count) { vus in
                var count = 0
                func append(_ vtype: rd_kafka_vtype_t, _ fill: (inout rd_kafka_vu_t) -> Void) {
                    var vu = rd_kafka_vu_t()
                    vu.vtype = vtype
                    fill(&vu)
                    vus.initializeElement(at: count, to: vu)
                    count += 1
                }
                append(RD_KAFKA_VTYPE_TOPIC) { $0.u.cstr = arena.cString(topic) }
                append(RD_KAFKA_VTYPE_MSGFLAGS) { $0.u.i = RD_KAFKA_MSG_F_COPY }
                append(RD_KAFKA_VTYPE_OPAQUE) { $0.u.ptr = opaque.toOpaque() }
                if !value.isEmpty {
                    append(RD_KAFKA_VTYPE_VALUE) {
                        $0.u.mem.ptr = arena.bytes(value)
                        $0.u.mem.size = value.count
                    }
                }
                if let key {
                    append(RD_KAFKA_VTYPE_KEY) {
                        $0.u.mem.ptr = arena.bytes(key)
                        $0.u.mem.size = key.count
                    }
                }
                for header in headers {
                    append(RD_KAFKA_VTYPE_HEADER) {
                        $0.u.header.name = arena.cString(header.name)
                        $0.u.header.val = header.value.map { UnsafeRawPointer(arena.bytes($0)) }
                        $0.u.header.size = header.value.map { $0.count } ?? 0
                    }
                }
                defer { vus.baseAddress!.deinitialize(count: count) }
                return rd_kafka_produceva(handle.pointer, vus.baseAddress, count)
            }
        }
        guard let error else { return }
        opaque.release()  // librdkafka did not take the message: no delivery report will come
        let code = rd_kafka_error_code(error)
        throw KafkaError(consuming: error, "could not enqueue a message for topic '\(topic)'",
                         hint: Self.hint(for: code, topic: topic))
    }

    /// Waits (blocking) up to `timeout` for queued messages to be delivered; returns how many are
    /// still outstanding (0 means everything was acknowledged or failed).
    public func flush(timeout: Duration) -> Int {
        _ = rd_kafka_flush(handle.pointer, timeout.clampedMilliseconds)
        return Int(rd_kafka_outq_len(handle.pointer))
    }

    /// Messages handed to librdkafka and not yet acknowledged or failed (queued or in flight).
    public var outstandingCount: Int { Int(rd_kafka_outq_len(handle.pointer)) }

    /// Fails, with `_PURGE_QUEUE`, every message still waiting in the producer's queues, so their
    /// senders hear now rather than after `message.timeout.ms` (5 minutes by default) when the
    /// cluster is unreachable. Messages in flight are left alone: failing them could not say
    /// whether the broker kept them. Blocking (briefly: librdkafka's threads drop their queues).
    public func failQueuedMessages() {
        rd_kafka_purge(handle.pointer, RD_KAFKA_PURGE_F_QUEUE)
    }

    /// ``flush(timeout:)`` on the blocking-call pool (`BlockingCall`), for callers in Swift concurrency.
    public func flush(timeout: Duration) async -> Int {
        await BlockingCall.run { self.flush(timeout: timeout) }
    }

    /// The fatal error librdkafka raised, if any; once set, the producer is unusable and the host
    /// should shut it down and create a new one.
    public var fatalError: KafkaError? { handle.fatalError }

    /// Raises a fatal error as librdkafka would after an idempotence failure (out-of-order
    /// sequence), through librdkafka's own test hook: lets tests prove the host recovers.
    public func injectFatalErrorForTesting() {
        _ = rd_kafka_test_fatal_error(handle.pointer, RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, "injected by a test")
    }

    /// Best knowledge of broker connectivity: false until a metadata request or a delivery
    /// succeeded, false again when librdkafka reports all brokers down (or auth/TLS/DNS failure).
    public var isConnected: Bool { handle.context.isConnected }

    /// Asks the cluster for metadata (blocking up to `timeout`) and records the outcome in
    /// ``isConnected``. Use it for readiness probes and after an outage.
    public func checkConnection(timeout: Duration) -> Bool {
        let connected: Bool
        switch handle.fetchMetadata(timeout: timeout) {
        case .success: connected = true
        case .failure(let error):
            logger.debug("kafka connectivity check failed", metadata: ["error": "\(error)"])
            connected = false
        }
        handle.context.setConnected(connected)
        return connected
    }

    /// ``checkConnection(timeout:)`` on the blocking-call pool (`BlockingCall`), for callers in Swift concurrency.
    public func checkConnection(timeout: Duration) async -> Bool {
        await BlockingCall.run { self.checkConnection(timeout: timeout) }
    }

    /// Stops accepting messages, waits up to `timeout` for outstanding deliveries, fails the rest
    /// with a purge error (so every callback still fires once), and stops the poll thread.
    /// Blocking; idempotent. The C handle is destroyed when the producer is deinitialized.
    /// Called from a delivery callback it only stops the poll thread (no flush).
    public func shutdown(timeout: Duration = .seconds(5)) {
        let wasShutDown = isShutDown.withLock { state -> Bool in
            defer { state = true }
            return state
        }
        if wasShutDown { return }
        // No send can start now; let those already past the check hand their message over, so
        // the flush below covers them.
        while enqueuing.load(ordering: .acquiring) > 0 { sched_yield() }
        if pollLoop.isRunningOnCurrentThread {
            // Called from a delivery callback: flushing here would re-enter rd_kafka_poll.
            // Stop the loop; deinit purges whatever is left.
            pollLoop.stop()
            return
        }
        let remaining = flush(timeout: timeout)
        if remaining > 0 {
            logger.warning("kafka producer shut down with undelivered messages; failing them",
                           metadata: ["count": "\(remaining)"])
            rd_kafka_purge(handle.pointer, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT)
            _ = flush(timeout: .seconds(1))
        }
        pollLoop.stop()
        rd_kafka_poll(handle.pointer, 0)
        handle.context.isRetired.store(true, ordering: .relaxed)
    }

    /// ``shutdown(timeout:)`` on the blocking-call pool (`BlockingCall`), for callers in Swift concurrency.
    public func shutdown(timeout: Duration = .seconds(5)) async {
        await BlockingCall.run { self.shutdown(timeout: timeout) }
    }

    private static func hint(for code: rd_kafka_resp_err_t, topic: String) -> String {
        switch code {
        case RD_KAFKA_RESP_ERR__QUEUE_FULL:
            return "the local producer queue is full; wait for deliveries (flush) or raise "
                + "queue.buffering.max.messages / queue.buffering.max.kbytes"
        case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
            return "topic '\(topic)' does not exist; create it first"
        case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
            return "the message exceeds message.max.bytes; send smaller messages"
        case RD_KAFKA_RESP_ERR__FATAL:
            return "the producer raised a fatal error; recreate the KafkaProducer"
        default:
            return "see the producer log for details"
        }
    }
}

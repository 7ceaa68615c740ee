import CRdKafka
import Logging
import Synchronization

/// An in-process Kafka cluster (librdkafka's mock cluster) listening on loopback ports.
///
/// Why: tests and local development get real Kafka protocol traffic — producers, consumer groups,
/// offsets, broker outages, injected request errors — without a JVM. The mock needs an
/// `rd_kafka_t` for bookkeeping, so the cluster owns a dedicated producer handle that is used for
/// nothing else. Limits of librdkafka 2.0.2's mock: no CreateTopics admin API (use
/// ``createTopic(_:partitions:replicationFactor:)``), ~3 s delay before the first consumer-group
/// join completes, and each partition retains only a few MiB / ~100k message sets.
///
/// After a member leaves a group, the mock waits `session.timeout.ms − 1 s` (of the group's last
/// joiner) before it completes the next join — 44 s with librdkafka's default 45 s — and an empty
/// Fetch waits the whole `fetch.wait.max.ms`. Consumers of the mock should use
/// ``fastConsumerProperties``.
public final class EmbeddedKafkaCluster: Sendable {
    /// Consumer properties that keep the mock responsive; for the embedded cluster only.
    ///
    /// - Rebalances: after a member leaves, the next join completes after about 2 s instead of 44 s.
    /// - Fetch latency: a mock broker that has no data for a Fetch answers after the full
    ///   `fetch.wait.max.ms` even when data arrives meanwhile (a real broker answers as soon as it
    ///   has data). With librdkafka's 500 ms default, a steady stream reaches the consumer in
    ///   half-second bursts; 10 ms keeps it steady, for ~6.5 % of a core of idle fetching by a host with four consumers.
    public static let fastConsumerProperties: [String: String] = [
        "session.timeout.ms": "3000", "heartbeat.interval.ms": "500", "fetch.wait.max.ms": "10",
    ]

    private let handle: RdKafkaHandle
    private let mock: Mutex<SendablePointer?>
    private let logger: Logger
    /// Number of brokers; their ids are `1...brokerCount`.
    public let brokerCount: Int
    /// `host:port,...` of the mock brokers, to use as ``KafkaConfiguration/brokers``.
    public let bootstrapServers: String

    public init(brokerCount: Int = 3,
                logger: Logger = Logger(label: "paka.kafka.embedded")) throws(KafkaError) {
        guard brokerCount > 0 else {
            throw KafkaError(code: nil, message: "EmbeddedKafkaCluster needs at least one broker "
                + "(brokerCount was \(brokerCount))")
        }
        var logger = logger
        logger[metadataKey: "kafka.client"] = "embedded-cluster"
        self.logger = logger
        // A dedicated handle: the mock cluster's lifetime is tied to it (rd_kafka_destroy asserts
        // when its mock cluster is still alive), so it must not be shared with a real client.
        handle = try RdKafkaHandle(
            kind: .producer, configuration: KafkaConfiguration(brokers: "", clientId: "paka-embedded-kafka"),
            context: ClientContext(logger: logger, onStatistics: nil))
        guard let cluster = rd_kafka_mock_cluster_new(handle.pointer, Int32(brokerCount)) else {
            throw KafkaError(code: nil, message: "rd_kafka_mock_cluster_new failed — is the "
                + "librdkafka build missing mock support, or are loopback ports exhausted?")
        }
        mock = Mutex(SendablePointer(raw: cluster))
        self.brokerCount = brokerCount
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(cluster))
    }

    deinit {
        shutdown()  // the mock cluster must go before its handle (destroyed after this body)
    }

    /// Creates a topic directly in the mock (the mock has no CreateTopics API).
    /// The most partitions a mock topic may have: the mock allocates them all at once and
    /// aborts its process when it cannot (a command line's number must not do that).
    public static let maxPartitions: Int32 = 10_000

    public func createTopic(_ name: String, partitions: Int32,
                            replicationFactor: Int32 = 1) throws(KafkaError) {
        guard (1...Self.maxPartitions).contains(partitions) else {
            throw KafkaError(RD_KAFKA_RESP_ERR__INVALID_ARG, "could not create mock topic '\(name)' with \(partitions) partitions",
                             hint: "give 1...\(Self.maxPartitions)")
        }
        let err = try withCluster("create topic '\(name)'") {
            rd_kafka_mock_topic_create($0, name, partitions, replicationFactor)
        }
        if err != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(err, "could not create mock topic '\(name)'",
                             hint: "replicationFactor must not exceed brokerCount (\(brokerCount))")
        }
    }

    /// Disconnects broker `id` (1-based) and refuses new connections; leadership does not move.
    ///
    /// Only in a process that spawns no children meanwhile (`paka broker`): librdkafka 2.0.2's mock
    /// re-binds the broker's port at once and aborts the process if that fails, which it does when
    /// a child being spawned still holds a copy of the listening socket (reproduced: a thread
    /// running posix_spawn in a loop makes the first re-bind fail with EADDRINUSE).
    @discardableResult
    public func setBrokerDown(_ id: Int32) -> KafkaError? {
        brokerCommand("set broker \(id) down") { rd_kafka_mock_broker_set_down($0, id) }
    }

    /// Lets broker `id` accept connections again.
    @discardableResult
    public func setBrokerUp(_ id: Int32) -> KafkaError? {
        brokerCommand("set broker \(id) up") { rd_kafka_mock_broker_set_up($0, id) }
    }

    /// Makes broker `id` the leader of one partition (tests that take one broker down place
    /// the partitions they need on the others first).
    @discardableResult
    public func setPartitionLeader(topic: String, partition: Int32, broker id: Int32) -> KafkaError? {
        // The mock creates a missing topic with partition + 1 partitions, and aborts its process
        // when it cannot allocate them (or the count overflows).
        guard (0..<Self.maxPartitions).contains(partition) else {
            return KafkaError(RD_KAFKA_RESP_ERR__INVALID_ARG, "partition \(partition) is outside 0..<\(Self.maxPartitions)")
        }
        return brokerCommand("make broker \(id) lead \(topic)/\(partition)") { rd_kafka_mock_partition_set_leader($0, topic, partition, id) }
    }

    /// Makes broker `id` the coordinator of consumer group `group`.
    @discardableResult
    public func setGroupCoordinator(group: String, broker id: Int32) -> KafkaError? {
        brokerCommand("make broker \(id) coordinate group \(group)") { rd_kafka_mock_coordinator_set($0, "group", group, id) }
    }

    /// Takes every broker down: clients see `_ALL_BROKERS_DOWN` and produced messages time out.
    public func setAllBrokersDown() {
        for id in 1...Int32(brokerCount) { setBrokerDown(id) }
    }

    /// Brings every broker back up.
    public func setAllBrokersUp() {
        for id in 1...Int32(brokerCount) { setBrokerUp(id) }
    }

    /// Makes the next `errors.count` requests with Kafka protocol `apiKey` fail, in order, with
    /// the given error codes (0 = succeed). Useful keys: Produce = 0, Fetch = 1, ListOffsets = 2,
    /// Metadata = 3, OffsetCommit = 8, OffsetFetch = 9, FindCoordinator = 10, JoinGroup = 11,
    /// Heartbeat = 12, SyncGroup = 14, InitProducerId = 22. Error codes are Kafka protocol codes
    /// (e.g. 6 = NOT_LEADER_OR_FOLLOWER, 7 = REQUEST_TIMED_OUT) or ``KafkaError/Code/transport``
    /// to make the broker drop the connection.
    public func pushRequestErrors(apiKey: Int16, errors: [Int32]) {
        let codes = errors.map { rd_kafka_resp_err_t($0) }
        do {
            try withCluster("push request errors") { cluster in
                codes.withUnsafeBufferPointer {
                    rd_kafka_mock_push_request_errors_array(cluster, apiKey, $0.count, $0.baseAddress)
                }
            }
        } catch {
            // The cluster was shut down: a test injecting faults after that would test nothing.
            logger.warning("request errors not pushed", metadata: ["error": "\(error)"])
        }
    }

    /// Destroys the mock cluster (connected clients see the brokers vanish). Idempotent; the
    /// bookkeeping handle is destroyed when the object is deinitialized.
    public func shutdown() {
        guard let cluster = mock.withLock({ state -> SendablePointer? in
            defer { state = nil }
            return state
        }) else { return }
        rd_kafka_mock_cluster_destroy(cluster.raw)
    }

    /// Runs `body` with the cluster under the lock, so ``shutdown()`` cannot destroy it mid-call.
    private func withCluster<T: Sendable>(_ what: String,
                                          _ body: (OpaquePointer) -> T) throws(KafkaError) -> T {
        let result: T? = mock.withLock { state -> T? in
            guard let cluster = state else { return nil }
            return body(cluster.raw)
        }
        guard let result else {
            throw KafkaError(code: nil, message: "cannot \(what): the embedded cluster was shut down")
        }
        return result
    }

    /// Runs a mock command; its refusal is logged and returned (nil: done).
    private func brokerCommand(_ what: String, _ body: (OpaquePointer) -> rd_kafka_resp_err_t) -> KafkaError? {
        do {
            let err = try withCluster(what, body)
            guard err != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
            logger.warning("mock cluster command failed", metadata: [
                "command": "\(what)", "error": "\(String(cString: rd_kafka_err2str(err)))"])
            return KafkaError(err, "could not \(what)")
        } catch {
            logger.warning("mock cluster command ignored", metadata: ["error": "\(error)"])
            return error
        }
    }
}

import CRdKafka
import Logging

/// Administrative operations (topic creation) over librdkafka's Admin API.
///
/// Why a separate client: the host creates its topics once at start-up, before producers and
/// consumers exist, and admin requests must not share the producer's delivery-report queue.
/// Every request has a bounded timeout: a broker that does not answer — or, like librdkafka
/// 2.0.2's mock cluster, does not support CreateTopics — yields ``TopicCreation/Outcome/failed(_:)``,
/// never a hang or a crash.
public final class KafkaAdmin: Sendable {
    private let handle: RdKafkaHandle
    private let logger: Logger

    public init(configuration: KafkaConfiguration, logger: Logger) throws(KafkaError) {
        var logger = logger
        logger[metadataKey: "kafka.client"] = "admin"
        self.logger = logger
        handle = try RdKafkaHandle(kind: .producer, configuration: configuration,
                                   context: ClientContext(logger: logger, onStatistics: nil))
    }

    /// Creates the topics (blocking up to about `timeout`); one result per name, in input order.
    public func createTopics(_ names: [String], partitions: Int32, replicationFactor: Int16,
                             timeout: Duration) -> [TopicCreation] {
        defer { rd_kafka_poll(handle.pointer, 0) }  // serve error/log events of this handle
        var outcomes = [String: TopicCreation.Outcome]()
        var newTopics: [OpaquePointer?] = []
        var requested: [String] = []
        defer { for topic in newTopics { rd_kafka_NewTopic_destroy(topic) } }
        for name in names {
            var errstr = [CChar](repeating: 0, count: 512)
            if let topic = rd_kafka_NewTopic_new(name, partitions, Int32(replicationFactor),
                                                 &errstr, errstr.count) {
                newTopics.append(topic)
                requested.append(name)
            } else {
                outcomes[name] = .failed("invalid topic specification: \(errstr.nulTerminatedString)")
            }
        }
        if !newTopics.isEmpty {
            let results = submit(newTopics, names: requested, timeout: timeout)
            for name in names where outcomes[name] == nil {
                outcomes[name] = results[name] ?? .failed("the broker returned no result for this "
                    + "topic — check the broker logs")
            }
        }
        return names.map { TopicCreation(topic: $0, outcome: outcomes[$0]!) }
    }

    /// ``createTopics(_:partitions:replicationFactor:timeout:)`` on the blocking-call pool (`BlockingCall`).
    public func createTopics(_ names: [String], partitions: Int32, replicationFactor: Int16,
                             timeout: Duration) async -> [TopicCreation] {
        await BlockingCall.run {
            self.createTopics(names, partitions: partitions, replicationFactor: replicationFactor,
                              timeout: timeout)
        }
    }

    /// Sends one CreateTopics request through a temporary queue and maps each topic's result.
    private func submit(_ newTopics: [OpaquePointer?], names: [String],
                        timeout: Duration) -> [String: TopicCreation.Outcome] {
        let rk = handle.pointer
        let timeoutMs = max(timeout.clampedMilliseconds, 1)
        let options = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS)
        defer { rd_kafka_AdminOptions_destroy(options) }
        var errstr = [CChar](repeating: 0, count: 512)
        _ = rd_kafka_AdminOptions_set_request_timeout(options, timeoutMs, &errstr, errstr.count)
        _ = rd_kafka_AdminOptions_set_operation_timeout(options, timeoutMs, &errstr, errstr.count)
        let queue = rd_kafka_queue_new(rk)
        defer { rd_kafka_queue_destroy(queue) }

        var topics = newTopics
        rd_kafka_CreateTopics(rk, &topics, topics.count, options, queue)
        // librdkafka's own timeout fires up to ~1 s late (its timers are coarse), so the wait
        // here is the caller's bound; librdkafka finishes the abandoned request on its own.
        guard let event = rd_kafka_queue_poll(queue, timeoutMs) else {
            return failAll(names, "no answer within \(timeout) — the brokers are unreachable or the "
                + "cluster advertises no controller (librdkafka's mock cluster never does: use "
                + "EmbeddedKafkaCluster.createTopic)")
        }
        defer { rd_kafka_event_destroy(event) }
        let eventError = rd_kafka_event_error(event)
        if eventError != RD_KAFKA_RESP_ERR_NO_ERROR {
            let reason = rd_kafka_event_error_string(event).map { String(cString: $0) } ?? ""
            return failAll(names, describe(eventError, reason))
        }
        guard let result = rd_kafka_event_CreateTopics_result(event) else {
            return failAll(names, "unexpected admin event type — this is a PakaKafka bug")
        }
        var count = 0
        guard let topicResults = rd_kafka_CreateTopics_result_topics(result, &count) else {
            return [:]
        }
        var outcomes = [String: TopicCreation.Outcome]()
        for index in 0..<count {
            guard let topicResult = topicResults[index] else { continue }
            let name = String(cString: rd_kafka_topic_result_name(topicResult))
            let err = rd_kafka_topic_result_error(topicResult)
            let reason = rd_kafka_topic_result_error_string(topicResult).map { String(cString: $0) } ?? ""
            switch err {
            case RD_KAFKA_RESP_ERR_NO_ERROR: outcomes[name] = .created
            case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS: outcomes[name] = .alreadyExists
            default: outcomes[name] = .failed(describe(err, reason))
            }
        }
        return outcomes
    }

    private func failAll(_ names: [String], _ reason: String) -> [String: TopicCreation.Outcome] {
        logger.warning("kafka topic creation failed", metadata: ["reason": "\(reason)"])
        return Dictionary(names.map { ($0, TopicCreation.Outcome.failed(reason)) },
                          uniquingKeysWith: { first, _ in first })
    }

    private func describe(_ err: rd_kafka_resp_err_t, _ reason: String) -> String {
        let name = String(cString: rd_kafka_err2name(err))
        let detail = reason.isEmpty ? String(cString: rd_kafka_err2str(err)) : reason
        switch err {
        case RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE, RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION,
             RD_KAFKA_RESP_ERR_INVALID_REQUEST:
            return "\(name): \(detail) — the broker does not support CreateTopics; create the "
                + "topics with the cluster's own tooling"
        case RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR, RD_KAFKA_RESP_ERR_INVALID_PARTITIONS:
            return "\(name): \(detail) — lower the replication factor/partitions to what the cluster allows"
        case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED, RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
            return "\(name): \(detail) — grant the client CREATE permission or pre-create the topics"
        case RD_KAFKA_RESP_ERR__TIMED_OUT where detail.contains("controller"):
            return "\(name): \(detail) — no controller was reachable: the brokers are down, or the "
                + "cluster advertises no controller (librdkafka's mock cluster never does: use "
                + "EmbeddedKafkaCluster.createTopic)"
        case RD_KAFKA_RESP_ERR__TIMED_OUT, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
            return "\(name): \(detail) — check broker connectivity or raise the timeout"
        default:
            return "\(name): \(detail)"
        }
    }
}

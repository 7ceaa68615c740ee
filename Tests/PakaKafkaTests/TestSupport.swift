import Foundation
import Logging
import PakaKafka
import Synchronization

/// Collects log lines in memory so tests stay quiet and can assert on what was (not) logged.
/// Set PAKA_KAFKA_TEST_LOG=1 to also print them.
final class CapturedLogs: Sendable {
    let lines = Mutex<[String]>([])

    func logger(_ label: String = "paka.kafka.test") -> Logger {
        var logger = Logger(label: label) { _ in CapturingHandler(sink: self) }
        logger.logLevel = .debug
        return logger
    }

    var all: String { lines.withLock { $0.joined(separator: "\n") } }
}

struct CapturingHandler: LogHandler {
    let sink: CapturedLogs
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .debug
    static let echo = ProcessInfo.processInfo.environment["PAKA_KAFKA_TEST_LOG"] == "1"

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = self.metadata.merging(event.metadata ?? [:]) { $1 }
        let text = "\(event.level) \(event.message) \(merged)"
        sink.lines.withLock { $0.append(text) }
        if Self.echo { print(text) }
    }
}

/// Polls `consumer` until `count` messages arrived or `attempts` polls of 500 ms passed (bounded).
func collect(_ consumer: KafkaConsumer, count: Int, attempts: Int = 40) async -> [KafkaMessage] {
    var messages: [KafkaMessage] = []
    for _ in 0..<attempts where messages.count < count {
        messages += await consumer.poll(maxMessages: count - messages.count, timeout: .milliseconds(500))
    }
    return messages
}


/// A fresh mock cluster with one topic; unique names keep parallel tests independent.
func makeCluster(brokers: Int = 3, topic: String, partitions: Int32) throws -> EmbeddedKafkaCluster {
    let cluster = try EmbeddedKafkaCluster(brokerCount: brokers, logger: CapturedLogs().logger())
    try cluster.createTopic(topic, partitions: partitions, replicationFactor: 1)
    return cluster
}

func bytes(_ string: String) -> [UInt8] { Array(string.utf8) }
func text(_ bytes: [UInt8]?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

/// Counts callback invocations from any thread.
final class Counter: Sendable {
    private let state = Mutex<(count: Int, results: [Result<KafkaDelivery, KafkaError>])>((0, []))
    func record(_ result: Result<KafkaDelivery, KafkaError>) {
        state.withLock { $0.count += 1; $0.results.append(result) }
    }
    var count: Int { state.withLock { $0.count } }
    var results: [Result<KafkaDelivery, KafkaError>] { state.withLock { $0.results } }
}

/// Runs the blocking `shutdown` off the cooperative pool.
enum BlockingShutdown {
    static func run(_ producer: KafkaProducer, timeout: Duration) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread {
                producer.shutdown(timeout: timeout)
                continuation.resume()
            }.start()
        }
    }
}

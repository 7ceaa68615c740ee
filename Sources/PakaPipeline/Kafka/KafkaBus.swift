import Foundation
import Logging
import PakaKafka
import PakaPluginHost
import Synchronization

/// The host's producer side of Kafka: publishes CloudEvents, writes dead letters, watches the
/// connection, and replaces the producer when librdkafka declares it fatally broken.
///
/// Every event it cannot get acknowledged is handed back to the caller (the `EventRouter`
/// processes it synchronously), so nothing published is ever dropped.
public final class KafkaBus: KafkaTransport {
    public let configuration: KafkaConfiguration
    private let producer: Mutex<KafkaProducer>
    private let connected = Atomic<Bool>(false)
    private let logger: Logger
    /// Called on every change of the connection state (true = connected).
    private let onConnectionChange: @Sendable (Bool) -> Void

    public init(configuration: KafkaConfiguration, logger: Logger,
                onConnectionChange: @escaping @Sendable (Bool) -> Void = { _ in }) throws(KafkaError) {
        self.configuration = configuration
        self.logger = logger
        self.onConnectionChange = onConnectionChange
        producer = Mutex(try KafkaProducer(configuration: configuration, logger: logger))
    }

    public var isConnected: Bool { connected.load(ordering: .acquiring) }

    /// The producer in use now (it changes after a fatal error).
    public var currentProducer: KafkaProducer { producer.withLock { $0 } }

    /// Asks the brokers for metadata and records the answer; called by the connection monitor.
    /// Also replaces a producer that hit a fatal error (idempotence after an outage).
    @discardableResult
    public func refreshConnection(timeout: Duration = .milliseconds(1500)) -> Bool {
        replaceProducerIfFatal()
        let now = currentProducer.checkConnection(timeout: timeout)
        if !now && currentProducer.outstandingCount > 0 {
            // Publishers awaiting an acknowledgement would otherwise wait for the brokers' return
            // (up to message.timeout.ms): what was never sent fails now and is processed
            // synchronously, like any publish during the outage (scripts/chaos brokers-down).
            currentProducer.failQueuedMessages()
        }
        let was = connected.exchange(now, ordering: .acquiringAndReleasing)
        if was != now {
            if now {
                logger.info("Kafka connected: events are queued and consumed asynchronously", metadata: ["brokers": "\(configuration.brokers)"])
            } else {
                logger.warning("Kafka not connected - async processing disabled; events are processed synchronously", metadata: ["brokers": "\(configuration.brokers)"])
            }
            onConnectionChange(now)
        }
        return now
    }

    /// Marks the bus disconnected at once (a delivery failed), so the next publish goes synchronous.
    func markDisconnected() {
        if connected.exchange(false, ordering: .acquiringAndReleasing) {
            logger.warning("Kafka delivery failing: switching to synchronous processing until the brokers answer again")
            onConnectionChange(false)
        }
    }

    private func replaceProducerIfFatal() {
        producer.withLock { current in
            guard let fatal = current.fatalError else { return }
            logger.error("Kafka producer hit a fatal error; replacing it", metadata: ["error": "\(fatal)"])
            current.shutdown(timeout: .milliseconds(200))
            do {
                current = try KafkaProducer(configuration: configuration, logger: logger)
            } catch {
                logger.error("could not recreate the Kafka producer", metadata: ["error": "\(error)"])
            }
        }
    }

    /// The same for every event; built once rather than per publish.
    private static let contentType = KafkaHeader(name: "content-type", string: "application/cloudevents+json; charset=utf-8")

    static func headers(for event: CloudEvent) -> [KafkaHeader] {
        [contentType, KafkaHeader(name: "ce_id", string: event.id)]
    }

    public func produce(_ event: CloudEvent) async throws {
        do {
            _ = try await currentProducer.send(topic: event.topic, key: Array(event.subject.utf8), value: event.jsonBytes, headers: Self.headers(for: event))
        } catch {
            if error.isFatal || currentProducer.fatalError != nil {
                // Replacing the producer and a metadata request block: not on the cooperative pool.
                await BlockingPool.shared.run { [self] in _ = refreshConnection(timeout: .milliseconds(200)) }
            } else {
                markDisconnected()
            }
            throw error
        }
    }

    public func produceInBackground(_ event: CloudEvent, onFailure: @escaping @Sendable (CloudEvent) -> Void) {
        do {
            try currentProducer.send(topic: event.topic, key: Array(event.subject.utf8), value: event.jsonBytes, headers: Self.headers(for: event)) {
                [weak self] result in
                guard case .failure(let error) = result else { return }
                self?.logger.warning("Kafka delivery failed; processing the event synchronously", metadata: [
                    "topic": "\(event.topic)", "event_id": "\(event.id)", "error": "\(error)"])
                self?.markDisconnected()
                onFailure(event)
            }
        } catch {
            logger.warning("Kafka did not accept the event; processing it synchronously", metadata: [
                "topic": "\(event.topic)", "event_id": "\(event.id)", "error": "\(error)"])
            onFailure(event)
        }
    }

    /// Queues `letter` for `<topic>.dlq` without waiting: `acknowledged` gets the broker's answer
    /// (nil = written) on the producer's poll thread. Throws when it cannot even be queued.
    func deadLetter(_ letter: DeadLetter, acknowledged: @escaping @Sendable (KafkaError?) -> Void) throws(KafkaError) {
        try currentProducer.send(topic: Topics.deadLetter(of: letter.originalTopic), key: letter.key, value: letter.value, headers: letter.headers) { outcome in
            if case .failure(let error) = outcome { acknowledged(error) } else { acknowledged(nil) }
        }
    }

    /// Writes `letter` and waits, without holding a thread, for the broker's answer: for the
    /// operator's dead-letter replay, which reports the outcome per letter (the consumer loop
    /// never waits: see the other overload).
    func deadLetter(_ letter: DeadLetter) async throws(KafkaError) {
        let answer: KafkaError? = await withCheckedContinuation { continuation in
            do throws(KafkaError) {
                // Resumed exactly once: by the delivery report, or here when librdkafka did not
                // take the message (then no report comes).
                try deadLetter(letter) { error in continuation.resume(returning: error) }
            } catch {
                continuation.resume(returning: error)
            }
        }
        if let answer { throw answer }
    }

    /// Flushes what is queued (bounded) and stops the producer.
    public func shutdown(timeout: Duration = .seconds(5)) {
        currentProducer.shutdown(timeout: timeout)
    }
}

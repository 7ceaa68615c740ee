import Foundation
import Logging
import PakaPluginHost
import Synchronization

/// The one publish path, for HTTP handlers and for plugins (through the host table).
///
/// Kafka connected: the event is produced and the consumer groups process it. Not connected:
/// it is processed synchronously in-process by the plugins that consume its topic.
public final class EventRouter: Sendable {
    public enum Mode: String, Sendable, Codable { case kafka, synchronous }

    public struct Receipt: Sendable {
        public var eventId: String
        public var topic: String
        public var mode: Mode
        /// Synchronous mode only: what each consuming plugin answered.
        public var outcomes: [String: EventOutcome]
        /// Synchronous mode only: plugins for which the event was neither finished nor stored,
        /// with the reason. Not empty means the publisher must be told it failed.
        public var notKept: [String: String] = [:]
    }

    let synchronous: SynchronousDispatcher
    private let transport = Mutex<(any KafkaTransport)?>(nil)
    private let logger: Logger
    public let source: String

    public init(synchronous: SynchronousDispatcher, source: String = "paka", logger: Logger) {
        self.synchronous = synchronous
        self.source = source
        self.logger = logger
    }

    /// Connects the router to Kafka; nil falls back to synchronous processing only.
    public func attach(_ kafka: (any KafkaTransport)?) { transport.withLock { $0 = kafka } }

    public var kafka: (any KafkaTransport)? { transport.withLock { $0 } }

    /// Publishes and, in synchronous mode, waits for the consuming plugins.
    public func publish(_ event: CloudEvent) async -> Receipt {
        if let kafka, kafka.isConnected {
            do {
                try await kafka.produce(event)
                return Receipt(eventId: event.id, topic: event.topic, mode: .kafka, outcomes: [:])
            } catch {
                logger.warning("Kafka did not take the event; processing it synchronously", metadata: [
                    "topic": "\(event.topic)", "event_id": "\(event.id)", "reason": "\(error)"])
            }
        } else {
            logger.info("Kafka not connected: processing event synchronously", metadata: ["topic": "\(event.topic)", "event_id": "\(event.id)"])
        }
        let report = await synchronous.process(event)
        return Receipt(eventId: event.id, topic: event.topic, mode: .synchronous, outcomes: report.outcomes, notKept: report.notKept)
    }

    /// A plugin's publish: never blocks on the consuming plugins (the caller may be one of them).
    func publishFromPlugin(_ event: CloudEvent) {
        if let kafka, kafka.isConnected {
            // Delivery failure falls back to synchronous processing inside the transport.
            kafka.produceInBackground(event) { [synchronous] failed in synchronous.enqueue(failed) }
        } else {
            logger.info("Kafka not connected: processing plugin event synchronously", metadata: ["topic": "\(event.topic)", "event_id": "\(event.id)"])
            synchronous.enqueue(event)
        }
    }
}

/// What the router needs from the Kafka pipeline.
public protocol KafkaTransport: Sendable {
    var isConnected: Bool { get }
    /// Returns once the broker acknowledged the event (acks=all); throws if it did not.
    func produce(_ event: CloudEvent) async throws
    /// Produces without waiting; `onFailure` gets the event back if delivery finally fails.
    func produceInBackground(_ event: CloudEvent, onFailure: @escaping @Sendable (CloudEvent) -> Void)
}

import Synchronization

/// Collects what a plugin publishes while the host handles one event for an exactly-once
/// consumer, instead of producing it at once: the consumer commits the collected events in the
/// Kafka transaction that also commits the event's offset, or drops them when the event is
/// answered RETRY or the transaction aborts.
///
/// Why a task-local: the publish arrives through the C host table, far below the lane that
/// called `handle`, on the same thread (in process) or on the worker's reader thread while the
/// lane waits for the worker's answer (process isolation, which carries the capture across).
/// `withValue` on a plain thread keeps the value in thread-local storage, so it costs nothing to
/// the plugins that never set one.
public final class PublishCapture: Sendable {
    @TaskLocal public static var current: PublishCapture?

    private let events = Mutex<[CloudEvent]>([])

    public init() {}

    public func append(_ event: CloudEvent) { events.withLock { $0.append(event) } }

    /// The events published so far, in publish order; the capture is empty afterwards.
    public func take() -> [CloudEvent] { events.withLock { events in defer { events = [] }; return events } }
}

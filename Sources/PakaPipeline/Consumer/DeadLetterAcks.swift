import PakaKafka
import PakaPluginHost
import Synchronization

/// The broker's answers to a consumer loop's dead letters. Delivery reports arrive on the
/// producer's poll thread; the loop, which owns its partition queues alone, collects them on
/// its next pass instead of waiting for each one.
final class DeadLetterAcks: Sendable {
    struct Ack: Sendable {
        var partition: KafkaTopicPartition
        var offset: Int64
        /// nil: written.
        var error: KafkaError?
    }

    private let answers = Mutex<[Ack]>([])

    func record(_ ack: Ack) { answers.withLock { $0.append(ack) } }

    /// The answers received since the last call, in arrival order.
    func take() -> [Ack] { answers.withLock { answers in defer { answers.removeAll() }; return answers } }

    /// Dead letters sent and not answered yet (tests watch a poison burst with it).
    let inFlight = Atomic<Int>(0)
}

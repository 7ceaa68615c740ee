/// The outcome of creating one topic with ``KafkaAdmin/createTopics(_:partitions:replicationFactor:timeout:)``.
///
/// Why "already exists" is separate from failure: the host creates its topics idempotently at
/// start-up, and an existing topic is the normal steady state, not an error to log.
public struct TopicCreation: Sendable, Hashable {
    public enum Outcome: Sendable, Hashable {
        case created
        case alreadyExists
        /// The topic could not be created; the reason says why and how to fix it.
        case failed(String)
    }

    public var topic: String
    public var outcome: Outcome

    public init(topic: String, outcome: Outcome) {
        self.topic = topic
        self.outcome = outcome
    }

    /// True for ``Outcome/created`` and ``Outcome/alreadyExists``: the topic is usable.
    public var topicExists: Bool {
        switch outcome {
        case .created, .alreadyExists: return true
        case .failed: return false
        }
    }
}

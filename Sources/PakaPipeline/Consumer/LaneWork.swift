import PakaKafka
import PakaPluginHost

/// One batch on its way to a lane, and what came back.
struct LaneWork: Sendable {
    /// A run of the batch's events from one partition queue (in offset order).
    struct Segment: Sendable {
        var partition: KafkaTopicPartition
        /// The queue's epoch when the batch was made: a revoked partition's answers are ignored.
        var epoch: Int
        var count: Int
    }

    var events: [PluginEvent] = []
    var segments: [Segment] = []
}

/// What a lane did with a batch.
struct LaneResult: Sendable {
    enum Answer: Sendable {
        /// The plugin answered, one outcome per event. `crashed`: the plugin is now in state
        /// `crashed` (process isolation): only settled answers count.
        case handled([EventOutcome], crashed: Bool)
        /// Not handed to the plugin: it is disabled, or in state `crashed`. Costs no attempt.
        case notHandled(pluginCrashed: Bool)
    }

    var work: LaneWork
    var answer: Answer
    /// Exactly-once only: what the plugin published while handling each event (by position in
    /// `work.events`); empty for at-least-once plugins, whose publishes are produced at once.
    var publishes: [[CloudEvent]] = []
}

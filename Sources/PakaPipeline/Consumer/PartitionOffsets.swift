import PakaKafka
import PakaPluginHost

/// One partition of a plugin's topics as its consumer group sees it.
public struct PartitionOffsets: Sendable, Codable, Equatable {
    public var topic: String
    public var partition: Int32
    /// The group's committed offset (the next event it reads); nil when it never committed one.
    public var committed: Int64?
    /// The first offset still kept by the broker.
    public var start: Int64
    /// The offset the next event written to the partition gets (the high watermark).
    public var end: Int64
    /// Events not yet consumed: `end - committed` (from `start` when nothing was committed).
    public var lag: Int64

    var key: KafkaTopicPartition { KafkaTopicPartition(topic: topic, partition: partition) }
}

/// Where `POST /plugins/{name}/offsets` moves a paused group.
public enum OffsetReset: Sendable, Equatable {
    case earliest
    case latest
    /// The first event at or after this time (milliseconds since the epoch); the end when none is that late.
    case timestamp(Int64)
    /// Exactly these next offsets; partitions not named keep theirs.
    case explicit([KafkaTopicPartition: Int64])
}


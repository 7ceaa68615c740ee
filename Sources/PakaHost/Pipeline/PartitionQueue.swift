import PakaKafka

/// The consumed-but-unfinished messages of one partition, in offset order.
///
/// Offsets are a per-partition watermark, so a message can only be stored once every message
/// before it is finished. When the head asks for RETRY the partition waits (paused, with
/// backoff) while other partitions continue; results already known for later messages of the
/// same batch are kept, so they are not handed to the plugin twice.
struct PartitionQueue {
    struct Item {
        var message: KafkaMessage
        /// nil when the message is poison (then `poison` says why).
        var event: PluginEvent?
        var poison: String?
        /// What the plugin answered last time, if it already saw this message.
        var known: EventOutcome?
        var attempts: Int = 0
    }

    var items: [Item] = []
    /// When set, the head waits for its retry until this instant.
    var retryAt: ContinuousClock.Instant?
    var paused = false

    var isWaiting: Bool { retryAt.map { $0 > ContinuousClock.now } ?? false }

    mutating func append(_ message: KafkaMessage, maxEventBytes: Int) {
        switch InboundEvent.decode(message, maxBytes: maxEventBytes) {
        case .success(let event): items.append(Item(message: message, event: event))
        case .failure(let poison): items.append(Item(message: message, poison: poison.reason))
        }
    }

    /// Indices of items to hand to the plugin now: from the head, those with no known outcome
    /// (or a known RETRY), stopping at `limit`. Empty while the partition waits for a retry.
    func readyIndices(limit: Int) -> [Int] {
        guard !isWaiting else { return [] }
        var ready: [Int] = []
        for (index, item) in items.enumerated() where ready.count < limit {
            if item.poison == nil, item.known == nil || !(item.known!.isSettled) { ready.append(index) }
        }
        return ready
    }
}

extension EventOutcome {
    /// OK and FAIL settle an event; RETRY means it must be handed to the plugin again.
    var isSettled: Bool {
        if case .retry = self { return false }
        return true
    }
}

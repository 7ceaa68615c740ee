import PakaKafka
import PakaPluginHost

/// The consumed-but-unfinished messages of one partition, in offset order.
///
/// Offsets are a per-partition watermark, so a message can only be stored once every message
/// before it is finished. When the head asks for RETRY the partition waits (paused, with
/// backoff) while other partitions continue; results already known for later messages of the
/// same batch are kept, so they are not handed to the plugin twice.
struct PartitionQueue {
    struct Item {
        var message: KafkaMessage
        /// The CloudEvent id; nil when the message is poison (then `poison` says why).
        var eventId: String?
        var poison: String?
        /// What the plugin answered last time, if it already saw this message.
        var known: EventOutcome?
        var attempts: Int = 0
        /// Set once the item was sent to `<topic>.dlq`; the watermark passes it only when `.written`.
        var deadLetter: DeadLetterProgress?
    }

    /// How far an item's dead letter got.
    enum DeadLetterProgress: Equatable {
        /// Produced; the broker has not answered yet (the loop does not wait for it).
        case inFlight
        case written
        /// Kafka did not take it (why); it is sent again after the partition's pause.
        case refused(String)
    }

    /// Unfinished messages live at `items[head...]`; finished ones are dropped by moving `head`
    /// (and compacting now and then), so settling a batch costs O(batch), not O(batch²).
    private(set) var items: [Item] = []
    private var head = 0
    /// When set, the head waits for its retry until this instant.
    var retryAt: ContinuousClock.Instant?
    var paused = false

    var isWaiting: Bool { retryAt.map { $0 > ContinuousClock.now } ?? false }

    /// True when the plugin has something to do here now (a dead letter awaiting the broker is not work).
    /// (Checked on every poll: it scans in place instead of building `readyIndices`' array.)
    var hasReadyWork: Bool {
        guard !isWaiting else { return false }
        return items[head...].contains { $0.poison == nil && $0.deadLetter == nil && !($0.known?.isSettled ?? false) }
    }

    /// Finds the unfinished item holding `offset`.
    func index(ofOffset offset: Int64) -> Int? {
        (head..<items.count).first { items[$0].message.offset == offset }
    }

    var count: Int { items.count - head }
    var first: Item? { head < items.count ? items[head] : nil }
    var headIndex: Int { head }

    // _read/_modify, not get/set: the loop reads single fields of items on every event, and a
    // getter would copy the whole item (its message alone holds four references) each time.
    subscript(index: Int) -> Item {
        _read { yield items[index] }
        _modify { yield &items[index] }
    }

    mutating func removeFirst() {
        head += 1
        if head == items.count {
            items.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 256, head * 2 >= items.count {
            items.removeFirst(head)
            head = 0
        }
    }

    mutating func append(contentsOf messages: ArraySlice<KafkaMessage>, maxEventBytes: Int) {
        items.reserveCapacity(items.count + messages.count)
        for message in messages {
            switch InboundEvent.check(message, maxBytes: maxEventBytes) {
            case .success(let id): items.append(Item(message: message, eventId: id))
            case .failure(let poison): items.append(Item(message: message, poison: poison.reason))
            }
        }
    }

    /// Indices of items to hand to the plugin now: from the head, those with no known outcome
    /// (or a known RETRY) and no dead letter, stopping at `limit`. Empty while the partition waits for a retry.
    func readyIndices(limit: Int) -> [Int] {
        guard !isWaiting else { return [] }
        var ready: [Int] = []
        var index = head
        while index < items.count && ready.count < limit {
            // An item whose dead letter is on its way is finished for the plugin, whatever it answered last.
            if items[index].poison == nil, items[index].deadLetter == nil, !(items[index].known?.isSettled ?? false) { ready.append(index) }
            index += 1
        }
        return ready
    }

    /// Counts one more attempt for each of `indices` and appends their events as the plugin gets them.
    mutating func beginAttempt(_ indices: [Int], appendingEventsTo events: inout [PluginEvent]) {
        retryAt = nil  // the wait, if any, is over
        for index in indices {
            items[index].attempts += 1
            events.append(InboundEvent.pluginEvent(items[index].message, id: items[index].eventId!, attempt: items[index].attempts))
        }
    }

    /// Takes back an attempt the plugin never saw (it was disabled before the call).
    mutating func forgetAttempt(_ indices: [Int]) {
        for index in indices { items[index].attempts -= 1 }
    }

    /// Keeps what the plugin answered for each of `indices`, in order.
    mutating func record(_ outcomes: ArraySlice<EventOutcome>, at indices: [Int]) {
        for (index, outcome) in zip(indices, outcomes) { items[index].known = outcome }
    }
}

extension EventOutcome {
    /// OK and FAIL settle an event; RETRY means it must be handed to the plugin again.
    var isSettled: Bool {
        if case .retry = self { return false }
        return true
    }
}

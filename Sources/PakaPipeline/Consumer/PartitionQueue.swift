import PakaKafka
import PakaPluginHost

/// The consumed-but-uncommitted messages of one partition, in offset order: the partition's
/// window.
///
/// Offsets are a per-partition watermark, so a message is committed only once every message
/// before it is finished (OK, or written to `<topic>.dlq`): a crash or rebalance redelivers what
/// was in flight or held, never skips one. Inside the window events run out of offset order, but
/// never out of order within an ordering key: ``collectReady(into:limit:ordering:now:)`` hands out
/// only an event whose earlier same-key events are all finished, and at most one per key, so a
/// RETRY (held here until its backoff ends) holds back its key alone.
struct PartitionQueue {
    struct Item {
        var message: KafkaMessage
        /// The CloudEvent id; nil when the message is poison (then its state is `.failed`).
        var eventId: String?
        /// A hash of the ordering key: equal keys always collide, and two different keys that
        /// collide only run one after another (order is kept, a little parallelism lost).
        var orderKey: Int
        var state: ItemState
        var attempts: Int = 0
        /// Set once the item was sent to `<topic>.dlq`; the watermark passes it only when `.written`.
        var deadLetter: DeadLetterProgress?
        /// Exactly-once: what the plugin published while handling it (OK or FAIL), produced in the
        /// transaction that commits past it. Empty otherwise.
        var publishes: [CloudEvent] = []
    }

    enum ItemState: Equatable {
        /// To be handed to the plugin (first time, or again after a retry's backoff).
        case waiting
        /// In a lane's batch; its answer has not come back.
        case inFlight
        /// Answered RETRY; handed to the plugin again at `until`. Its key waits behind it.
        case held(until: ContinuousClock.Instant)
        /// Answered OK: the watermark may pass it.
        case ok
        /// FAIL, retries used up, a crash verdict or poison: it goes to `<topic>.dlq` (why).
        case failed(String)
    }

    /// How far an item's dead letter got.
    enum DeadLetterProgress: Equatable {
        /// Produced; the broker has not answered yet (the loop does not wait for it).
        case inFlight
        case written
        /// Kafka did not take it (why); it is sent again after `deadLetterRetryAt`.
        case refused(String)
    }

    /// Which life of the partition this queue belongs to: a partition revoked and assigned
    /// again gets a new queue, and late answers for the old one are ignored.
    let epoch: Int
    /// Unfinished messages live at `items[head...]`; finished ones are dropped by moving `head`
    /// (and compacting now and then), so settling costs O(window), not O(window²).
    private(set) var items: [Item] = []
    private var head = 0
    /// Paused in librdkafka because the window reached `maxInFlight`.
    var pausedForRoom = false
    /// A refused dead letter is sent again no sooner than this.
    var deadLetterRetryAt: ContinuousClock.Instant?

    init(epoch: Int) { self.epoch = epoch }

    /// Messages in the window (consumed, not yet committed past).
    var count: Int { items.count - head }
    var first: Item? { head < items.count ? items[head] : nil }
    var headIndex: Int { head }
    var endIndex: Int { items.count }

    // _read/_modify, not get/set: the loop reads single fields of items on every event, and a
    // getter would copy the whole item (its message alone holds four references) each time.
    subscript(index: Int) -> Item {
        _read { yield items[index] }
        _modify { yield &items[index] }
    }

    /// Finds the unfinished item holding `offset` (offsets only grow along the window).
    func index(ofOffset offset: Int64) -> Int? {
        var low = head, high = items.count
        while low < high {
            let middle = (low + high) / 2
            if items[middle].message.offset < offset { low = middle + 1 } else { high = middle }
        }
        return low < items.count && items[low].message.offset == offset ? low : nil
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

    mutating func append(contentsOf messages: ArraySlice<KafkaMessage>, maxEventBytes: Int, ordering: PluginOrdering) {
        items.reserveCapacity(items.count + messages.count)
        for message in messages {
            let key = Self.orderKey(of: message, ordering: ordering)
            switch InboundEvent.check(message, maxBytes: maxEventBytes) {
            case .success(let id): items.append(Item(message: message, eventId: id, orderKey: key, state: .waiting))
            case .failure(let poison): items.append(Item(message: message, orderKey: key, state: .failed("poison message: \(poison.reason)")))
            }
        }
    }

    /// Keyless messages share one key (they are ordered with each other); `.partition` puts
    /// every message on that one key; `.none` gives none a key (see `collectReady`).
    static func orderKey(of message: KafkaMessage, ordering: PluginOrdering) -> Int {
        guard ordering == .key, let key = message.key, !key.isEmpty else { return 0 }
        var hasher = Hasher()
        hasher.combine(key.count)
        key.withUnsafeBytes { hasher.combine(bytes: $0) }
        return hasher.finalize() | 1  // never 0: that is the keyless messages' key
    }

    /// What one look at the window found, beside the events handed out.
    struct Scan {
        /// Events in a lane now, and events answered RETRY waiting for their backoff.
        var inFlight = 0
        var held = 0
        /// The earliest end of a backoff still running (the loop wakes up for it).
        var nextDue: ContinuousClock.Instant?
    }

    /// Appends to `ready` the indices of items to hand to the plugin now, from the oldest, at
    /// most `limit`: each is the oldest unfinished item of its ordering key (`.none`: any
    /// waiting item), so no two share a key.
    /// `busyKeys` is scratch space the caller keeps between calls (emptied here), so a scan does
    /// not allocate a set each time.
    func collectReady(into ready: inout [Int], limit: Int, ordering: PluginOrdering, now: ContinuousClock.Instant,
                      busyKeys: inout Set<Int>) -> Scan {
        var scan = Scan()
        busyKeys.removeAll(keepingCapacity: true)
        var index = head
        while index < items.count {
            // Fields are read in place: copying the item (its message holds four references) per
            // event per scan cost more than the scan itself.
            index += 1
            let due: Bool
            switch items[index - 1].state {
            case .ok, .failed:
                continue
            case .inFlight:
                scan.inFlight += 1
                due = false
            case .held(let until):
                scan.held += 1
                due = until <= now
                if !due { scan.nextDue = min(scan.nextDue ?? until, until) }
            case .waiting:
                due = true
            }
            if ordering == .none {
                if due && ready.count < limit { ready.append(index - 1) }
                continue
            }
            let free = busyKeys.insert(items[index - 1].orderKey).inserted
            if due && free && ready.count < limit { ready.append(index - 1) }
        }
        return scan
    }
}

extension PartitionQueue.ItemState {
    /// OK or FAIL: nothing more is handed to the plugin for it.
    var isFinished: Bool {
        switch self {
        case .ok, .failed: true
        case .waiting, .inFlight, .held: false
        }
    }
}

extension EventOutcome {
    /// OK and FAIL settle an event; RETRY means it must be handed to the plugin again.
    var isSettled: Bool {
        if case .retry = self { return false }
        return true
    }
}

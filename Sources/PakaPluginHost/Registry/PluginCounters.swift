import Synchronization

/// Per-version counters shown by `GET /plugins` and exported as metrics.
public final class PluginCounters: Sendable {
    let handled = Atomic<Int>(0)
    let retried = Atomic<Int>(0)
    let failed = Atomic<Int>(0)
    let deadLettered = Atomic<Int>(0)
    private let lastErrorBox = Mutex<String?>(nil)

    public struct Snapshot: Sendable, Equatable, Codable {
        public var handled, retried, failed, deadLettered: Int
        public var lastError: String?

        public init(handled: Int, retried: Int, failed: Int, deadLettered: Int, lastError: String?) {
            self.handled = handled
            self.retried = retried
            self.failed = failed
            self.deadLettered = deadLettered
            self.lastError = lastError
        }
    }

    func record(_ outcomes: [EventOutcome]) {
        var ok = 0, retry = 0, fail = 0
        var last: String?
        for outcome in outcomes {
            switch outcome {
            case .ok: ok += 1
            case .retry(let m): retry += 1; last = m
            case .fail(let m): fail += 1; last = m
            }
        }
        if ok > 0 { handled.add(ok, ordering: .relaxed) }
        if retry > 0 { retried.add(retry, ordering: .relaxed) }
        if fail > 0 { failed.add(fail, ordering: .relaxed) }
        if let last { lastErrorBox.withLock { $0 = last } }
    }

    public func recordDeadLetter() { deadLettered.add(1, ordering: .relaxed) }

    public var snapshot: Snapshot {
        Snapshot(handled: handled.load(ordering: .relaxed), retried: retried.load(ordering: .relaxed),
                 failed: failed.load(ordering: .relaxed), deadLettered: deadLettered.load(ordering: .relaxed),
                 lastError: lastErrorBox.withLock { $0 })
    }
}

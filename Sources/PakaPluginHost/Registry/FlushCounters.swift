import Synchronization

/// What retired versions' `flush` answered, per plugin, for `/metrics`: a FAIL (or a RETRY
/// still pending when the bounded wait ended) means the version was destroyed with work it had
/// not finished.
public final class FlushCounters: Sendable {
    public struct Counts: Sendable, Equatable {
        public var succeeded = 0
        public var failed = 0
    }

    private let counts = Mutex<[String: Counts]>([:])

    public init() {}

    func record(plugin: String, succeeded: Bool) {
        counts.withLock { counts in
            if succeeded { counts[plugin, default: Counts()].succeeded += 1 } else { counts[plugin, default: Counts()].failed += 1 }
        }
    }

    public var snapshot: [String: Counts] { counts.withLock { $0 } }
}

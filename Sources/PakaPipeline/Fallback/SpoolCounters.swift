import PakaPluginHost
import Synchronization

/// What the local spool could not do, for `/metrics`: writes the disk refused, lines kept only in
/// memory meanwhile, and events neither written nor held (their request was answered 503).
public final class SpoolCounters: Sendable {
    private let failures = Atomic<Int>(0)
    private let refused = Atomic<Int>(0)
    private let heldNow = Atomic<Int>(0)

    public init() {}

    public struct Snapshot: Sendable, Equatable {
        public var writeFailures: Int
        public var heldInMemory: Int
        public var notKept: Int
    }

    public var snapshot: Snapshot {
        Snapshot(writeFailures: failures.load(ordering: .relaxed), heldInMemory: heldNow.load(ordering: .relaxed),
                 notKept: refused.load(ordering: .relaxed))
    }

    func recordWriteFailure() { failures.add(1, ordering: .relaxed) }
    func recordNotKept() { refused.add(1, ordering: .relaxed) }
    func setHeld(_ count: Int) { heldNow.store(count, ordering: .relaxed) }
}

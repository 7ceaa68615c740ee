import CRdKafka
import Foundation
import Synchronization

/// A dedicated Foundation thread that serves a client's main queue with `rd_kafka_poll`.
///
/// Why a thread and not a Task: `rd_kafka_poll` blocks, and blocking a cooperative-pool thread
/// starves Swift concurrency (there are only two on this machine). Delivery reports, error and
/// statistics callbacks therefore run on this thread. The loop holds its own reference to the
/// handle so that, if the owner is released from inside a callback (i.e. on this thread), the
/// handle is destroyed only after the loop has left `rd_kafka_poll`.
final class PollLoop: Sendable {
    private struct State: Sendable {
        var handle: RdKafkaHandle?
        var stopRequested = false
        var thread: ThreadIdentity?
    }

    /// `Thread` is not `Sendable`; it is only kept to compare identities with `Thread.current`,
    /// which is thread-safe.
    private struct ThreadIdentity: @unchecked Sendable {
        let thread: Thread
    }

    private let state: Mutex<State>
    private let finished = DispatchSemaphore(value: 0)
    private let interval: Duration

    init(handle: RdKafkaHandle, interval: Duration = .milliseconds(100)) {
        self.state = Mutex(State(handle: handle))
        self.interval = interval
    }

    func start(name: String) {
        let thread = Thread { [self] in run() }
        thread.name = name
        state.withLock { $0.thread = ThreadIdentity(thread: thread) }
        thread.start()
    }

    private func run() {
        let timeout = interval.clampedMilliseconds
        while true {
            let handle: RdKafkaHandle? = state.withLock { $0.stopRequested ? nil : $0.handle }
            guard let handle else { break }
            rd_kafka_poll(handle.pointer, timeout)
        }
        // Drop our reference outside the lock: this may run rd_kafka_destroy. Forgetting the
        // thread also breaks the PollLoop → Thread → block → PollLoop retain cycle.
        let last = state.withLock { state -> RdKafkaHandle? in
            defer { state.handle = nil; state.thread = nil }
            return state.handle
        }
        _ = consume last
        finished.signal()
    }

    /// Stops the loop and waits for it to finish, unless called from the loop's own thread (a
    /// callback releasing the client), where waiting would deadlock; the loop then exits on its own.
    func stop() {
        let (alreadyStopped, thread) = state.withLock { state -> (Bool, Thread?) in
            defer { state.stopRequested = true }
            return (state.stopRequested, state.thread?.thread)
        }
        if alreadyStopped || thread == nil { return }
        if let thread, thread == Thread.current { return }
        finished.wait()
    }
}

extension PollLoop {
    /// True when called from inside a callback served by this loop.
    var isRunningOnCurrentThread: Bool {
        state.withLock { $0.thread?.thread } == Thread.current
    }
}

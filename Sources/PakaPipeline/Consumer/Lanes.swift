import Foundation
import PakaPluginHost
import Synchronization

/// A plugin's lanes: `concurrency` threads that hand batches to the plugin's instances at the
/// same time, and the inbox where their answers wait for the consumer loop.
///
/// Why threads of their own, not the host's `BlockingPool`: a lane blocks in the plugin for as
/// long as the plugin takes (a Telegram call, an SMTP session) and is busy for the life of the
/// consumer; sixteen lanes of one plugin would take the whole shared pool. Each lane borrows one
/// instance per call from the plugin's instance pool, so an instance is still called by one
/// thread at a time (the ABI's promise).
///
/// With one lane the batch runs on the loop's own thread, as it always did: no hand-over, no
/// wake-up, for the common `concurrency: 1`.
final class Lanes: @unchecked Sendable {
    // @unchecked: `queue`, `results` and `stopping` are guarded by their conditions; `threads`
    // is touched by the loop's thread only.
    let count: Int
    private let run: @Sendable (LaneWork) -> LaneResult
    private let name: String
    private let workReady = NSCondition()
    private var queue: [LaneWork] = []
    private var stopping = false
    private let resultsReady = NSCondition()
    private var results: [LaneResult] = []
    /// Batches handed over and not yet taken back by the loop.
    private let outstanding = Atomic<Int>(0)
    private let exited = DispatchGroup()
    private var started = false

    init(count: Int, name: String, run: @escaping @Sendable (LaneWork) -> LaneResult) {
        self.count = max(count, 1)
        self.name = name
        self.run = run
    }

    /// Lanes with a batch (handed over, answer not yet taken back).
    var busy: Int { outstanding.load(ordering: .acquiring) }
    var idle: Int { count - busy }

    func start() {
        guard count > 1, !started else { return }
        started = true
        for index in 0..<count {
            exited.enter()
            let thread = Thread { [self] in
                serve()
                exited.leave()
            }
            thread.name = "paka-lane-\(name)-\(index)"
            thread.start()
        }
    }

    /// Hands `work` to an idle lane (the caller checked `idle > 0`). One lane: runs it now.
    func submit(_ work: LaneWork) {
        outstanding.add(1, ordering: .acquiringAndReleasing)
        guard count > 1 else {
            let result = run(work)
            resultsReady.lock()
            results.append(result)
            resultsReady.unlock()
            return
        }
        workReady.lock()
        queue.append(work)
        workReady.signal()
        workReady.unlock()
    }

    /// The answers that came back, waiting up to `timeout` for the first when there is none.
    func takeResults(waitingUpTo timeout: Duration) -> [LaneResult] {
        resultsReady.lock()
        if results.isEmpty && timeout > .zero && busy > 0 {
            _ = resultsReady.wait(until: Date(timeIntervalSinceNow: timeout / .seconds(1)))
        }
        let taken = results
        results.removeAll(keepingCapacity: true)
        resultsReady.unlock()
        if !taken.isEmpty { outstanding.subtract(taken.count, ordering: .acquiringAndReleasing) }
        return taken
    }

    /// Ends the lane threads once they are idle (the loop drained them first) and waits for them.
    func stop() {
        guard started else { return }
        workReady.lock()
        stopping = true
        workReady.broadcast()
        workReady.unlock()
        exited.wait()
        started = false
    }

    private func serve() {
        while true {
            workReady.lock()
            while queue.isEmpty && !stopping { workReady.wait() }
            if queue.isEmpty {
                workReady.unlock()
                return
            }
            let work = queue.removeFirst()
            workReady.unlock()
            let result = run(work)
            resultsReady.lock()
            results.append(result)
            resultsReady.signal()
            resultsReady.unlock()
        }
    }
}

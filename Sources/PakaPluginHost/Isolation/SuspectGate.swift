import Foundation

/// Lets an event with a host crash on record run with no other event of its plugin in flight.
///
/// Why: the crash journal condemns an event that was in flight **alone** when the host died
/// (`crash.maxAttempts`). With lanes, a batch of one in one lane runs beside the other lanes'
/// batches, so "alone in its batch" says nothing about who killed the host. A suspect waits
/// here until the plugin's other calls are done, and holds new ones back while it runs; calls
/// of a plugin without suspects never come here (the journal's fast path).
final class SuspectGate: @unchecked Sendable {
    // @unchecked: the counters are guarded by `condition`.
    private let condition = NSCondition()
    private var running = 0
    private var suspectsWaiting = 0
    private var suspectRunning = false

    /// Runs `body` beside other ordinary calls, after any suspect that is waiting or running.
    func alongside<T>(_ body: () -> T) -> T {
        condition.lock()
        while suspectRunning || suspectsWaiting > 0 { condition.wait() }
        running += 1
        condition.unlock()
        defer {
            condition.lock()
            running -= 1
            if running == 0 { condition.broadcast() }
            condition.unlock()
        }
        return body()
    }

    /// Runs `body` with nothing else of the plugin in flight.
    func alone<T>(_ body: () -> T) -> T {
        condition.lock()
        suspectsWaiting += 1
        while suspectRunning || running > 0 { condition.wait() }
        suspectsWaiting -= 1
        suspectRunning = true
        condition.unlock()
        defer {
            condition.lock()
            suspectRunning = false
            condition.broadcast()
            condition.unlock()
        }
        return body()
    }
}

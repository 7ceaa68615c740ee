import PakaPluginHost
import Synchronization

/// The operator's handle on one consumer loop: whether it should hold its partitions paused,
/// whether the loop has done so, and work to run on the loop's own thread between batches
/// (offset resets must not race a batch).
final class ConsumerControl: Sendable {
    /// What `GET /plugins/{name}/offsets` and the pause route report.
    enum State: String, Sendable, Codable { case running, pausing, paused, resuming, stopped }

    struct Command: Sendable {
        let run: @Sendable (ConsumerLoop) -> Void
        let cancel: @Sendable () -> Void
    }

    private struct Inner {
        var wantPaused = false
        var isPaused = false
        var stopped = false
        var commands: [Command] = []
    }

    private let inner = Mutex(Inner())

    func setPaused(_ paused: Bool) { inner.withLock { $0.wantPaused = paused } }
    var wantsPause: Bool { inner.withLock { $0.wantPaused } }

    var state: State {
        inner.withLock { inner in
            if inner.stopped { return .stopped }
            switch (inner.wantPaused, inner.isPaused) {
            case (true, true): return .paused
            case (true, false): return .pausing
            case (false, true): return .resuming
            case (false, false): return .running
            }
        }
    }

    /// Called by the loop once its partitions are held (or released).
    func markApplied(paused: Bool) { inner.withLock { $0.isPaused = paused } }

    func takeCommands() -> [Command] {
        inner.withLock { inner in
            defer { inner.commands.removeAll() }
            return inner.commands
        }
    }

    /// The loop ended: nothing queued will run any more.
    func loopStopped() {
        let pending = inner.withLock { inner -> [Command] in
            inner.stopped = true
            defer { inner.commands.removeAll() }
            return inner.commands
        }
        pending.forEach { $0.cancel() }
    }

    /// Runs `work` on the loop's thread between two batches and returns its result.
    func perform<T: Sendable>(plugin: String, _ work: @escaping @Sendable (ConsumerLoop) throws(ConsumerControlError) -> T) async throws(ConsumerControlError) -> T {
        let result = await withCheckedContinuation { (continuation: CheckedContinuation<Result<T, ConsumerControlError>, Never>) in
            let command = Command(run: { loop in
                do throws(ConsumerControlError) { continuation.resume(returning: .success(try work(loop))) } catch { continuation.resume(returning: .failure(error)) }
            }, cancel: { continuation.resume(returning: .failure(.noConsumer(plugin))) })
            let accepted = inner.withLock { inner -> Bool in
                guard !inner.stopped else { return false }
                inner.commands.append(command)
                return true
            }
            if !accepted { command.cancel() }
        }
        return try result.get()
    }
}

import Dispatch
import PakaPluginHost
import Synchronization

/// `paka plugin test --concurrency N`: the file's events on N instances at once, the way the
/// host's lanes run them — the events of one key one after another on one instance, in file
/// order; different keys side by side.
struct ParallelEventRun {
    let plugin: StandalonePlugin
    let lines: [TestEventFile.Line]
    let lanes: Int

    /// Each event's answer, by line number.
    func run() -> [Int: EventOutcome] {
        var byLane = Array(repeating: [(line: Int, event: PluginEvent)](), count: max(lanes, 1))
        for line in lines {
            guard case .success(let event) = line.event else { continue }
            var hasher = Hasher()
            hasher.combine(event.key)
            byLane[Int(UInt(bitPattern: hasher.finalize()) % UInt(byLane.count))].append((line.number, event))
        }
        let answers = Mutex<[Int: EventOutcome]>([:])
        let work = byLane
        DispatchQueue.concurrentPerform(iterations: work.count) { lane in
            for (number, event) in work[lane] {
                let outcome = plugin.handle([event], instance: lane).first ?? .fail("the plugin gave no result")
                answers.withLock { $0[number] = outcome }
            }
        }
        return answers.withLock { $0 }
    }
}

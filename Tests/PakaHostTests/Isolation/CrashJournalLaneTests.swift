import Foundation
@testable import PakaPluginHost
import Synchronization
import Testing

/// With lanes a plugin has several batches in flight at once, each in its own journal slot.
/// "Alone at the host's death" must mean alone in the plugin, not alone in its slot: an event
/// in a batch of one beside other lanes' batches is only a bystander.
@Suite struct CrashJournalLaneTests {
    private let event = PluginEvent(id: "e1", topic: "scripted.in", key: [], payload: [], partition: 0, offset: 7)

    /// A previous start already counted one death with `event` in flight beside others; this
    /// start finds the slots of a second death.
    private func journal(secondDeathSlots: [[String]]) -> CrashJournal {
        let dir = TemporaryDirectory()
        let plugin = "lanes-\(UUID().uuidString.prefix(8))"
        let earlier = #"{"\#(CrashJournal.key(event))": {"crashes": 1, "lastAlone": false, "signal": 0}}"#
        _ = dir.write("\(plugin).crashes.json", earlier)
        for (index, keys) in secondDeathSlots.enumerated() {
            let line = Array("plugin \(plugin): \(keys.count) event(s): \(keys.joined(separator: " "))".utf8)
            var bytes = Array("PAKAJRN1".utf8)
            bytes += withUnsafeBytes(of: UInt64(line.count).littleEndian, Array.init)
            bytes += [UInt8](repeating: 0, count: 8)  // no signal recorded (SIGKILL), 4 spare bytes
            _ = FileManager.default.createFile(atPath: dir.file("\(plugin).\(index + 1).inflight"), contents: Data(bytes + line))
        }
        return withExtendedLifetime(dir) { CrashJournal.shared(plugin: plugin, folder: dir.path, services: RecordingHostServices()) }
    }

    private func outcome(_ journal: CrashJournal) -> EventOutcome? {
        let tracker = CrashTracker(plugin: journal.plugin, policy: CrashPolicy(maxAttempts: 2), metrics: PluginRegistry.Options().metrics)
        return journal.handle([event], policy: CrashPolicy(maxAttempts: 2), tracker: tracker) { events in events.map { _ in .ok } }.first
    }

    @Test func anEventInABatchOfOneBesideOtherLanesAtBothDeathsIsHandedToThePluginAgain() {
        let journal = journal(secondDeathSlots: [[CrashJournal.key(event)], ["scripted.in/1/40/e2", "scripted.in/1/41/e3"]])
        #expect(outcome(journal) == .ok)
    }

    @Test func anEventAloneInThePluginAtItsSecondDeathIsCondemned() {
        let journal = journal(secondDeathSlots: [[CrashJournal.key(event)]])
        guard case .fail(let reason)? = outcome(journal) else {
            Issue.record("expected FAIL with a crash verdict")
            return
        }
        #expect(reason.contains("the host process died"), "\(reason)")
    }

    /// A suspect (an event with a crash on record) runs with nothing else of its plugin in
    /// flight, though three lanes keep handing ordinary batches.
    @Test func aSuspectRunsWithNoOtherCallOfItsPluginInFlight() {
        let journal = journal(secondDeathSlots: [[CrashJournal.key(event)], ["scripted.in/1/40/e2"]])
        let tracker = CrashTracker(plugin: journal.plugin, policy: CrashPolicy(maxAttempts: 3), metrics: PluginRegistry.Options().metrics)
        let running = Atomic<Int>(0)
        let seenBySuspect = Mutex<[Int]>([])
        let stop = Atomic<Bool>(false)
        let lanes = DispatchGroup()
        for lane in 0..<3 {
            DispatchQueue.global().async(group: lanes) {
                var n = 0
                while !stop.load(ordering: .relaxed) {
                    n += 1
                    let other = PluginEvent(id: "o\(lane)-\(n)", topic: "scripted.in", key: [], payload: [], partition: 1, offset: Int64(1000 * lane + n))
                    _ = journal.handle([other], policy: tracker.policy, tracker: tracker) { events in
                        running.add(1, ordering: .relaxed)
                        usleep(5000)
                        running.subtract(1, ordering: .relaxed)
                        return events.map { _ in .ok }
                    }
                }
            }
        }
        usleep(30_000)  // the lanes are busy
        let answer = journal.handle([event], policy: tracker.policy, tracker: tracker) { events in
            let now = running.add(1, ordering: .relaxed).newValue
            seenBySuspect.withLock { $0.append(now) }
            usleep(20_000)
            running.subtract(1, ordering: .relaxed)
            return events.map { _ in .ok }
        }
        stop.store(true, ordering: .relaxed)
        lanes.wait()
        #expect(answer == [.ok])
        #expect(seenBySuspect.withLock { $0 } == [1], "calls in flight while the suspect ran")
    }
}

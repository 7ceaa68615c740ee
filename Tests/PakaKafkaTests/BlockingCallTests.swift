import Foundation
import Glibc
@testable import PakaKafka
import Testing

/// The async conveniences run their blocking librdkafka calls on a fixed pool: a burst of calls
/// queues on it instead of starting a thread each.
@Suite struct BlockingCallTests {
    /// Counts by thread id which threads ran the calls: other tests running in this process
    /// meanwhile start threads of their own, so the process's total says nothing precise.
    @Test func aBurstOfConcurrentCallsRunsOnTheSameFewLongLivedThreads() async throws {
        let calls = 48
        let ran = await withTaskGroup(of: (caller: pid_t, worker: pid_t).self) { group in
            for _ in 0..<calls {
                group.addTask {
                    let caller = Self.currentThreadId()
                    let worker = await BlockingCall.run { () -> pid_t in
                        usleep(20_000)  // a blocking librdkafka call, as far as the caller can tell
                        return Self.currentThreadId()
                    }
                    return (caller, worker)
                }
            }
            return await group.reduce(into: [(caller: pid_t, worker: pid_t)]()) { $0.append($1) }
        }
        let threads = Set(ran.map(\.worker))
        #expect(!threads.contains(-1) && !ran.contains { $0.caller == -1 })  // every thread id was read
        // Not on the callers' threads (the two cooperative ones): that is what the pool is for.
        #expect(threads.isDisjoint(with: ran.map(\.caller)), "calls ran on their callers' threads")
        // A thread per call would have used 48 (all were blocked at once).
        #expect(threads.count <= BlockingCall.threadCount, "calls ran on \(threads.count) threads")
        // And they live on for the next burst, listed among the process's threads.
        let alive = Set(((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []).compactMap { (name: String) in pid_t(name) })
        #expect(threads.isSubset(of: alive))
    }

    /// This thread's id, as listed in /proc/self/task (`/proc/thread-self` links to `PID/task/TID`;
    /// Glibc's `gettid` is not visible to Swift here).
    private static func currentThreadId() -> pid_t {
        let link = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self")) ?? ""
        return link.split(separator: "/").last.flatMap { pid_t(String($0)) } ?? -1
    }

    /// Three times more real calls than the pool has threads, all blocked at once: every call
    /// answers, within the time limit (a pool that lost or deadlocked queued work would not).
    @Test(.timeLimit(.minutes(1))) func moreConcurrentCallsThanThreadsAllAnswer() async throws {
        // Nothing listens on port 1: each metadata check blocks until its timeout, and answers false.
        let producer = try KafkaProducer(configuration: KafkaConfiguration(brokers: "127.0.0.1:1"), logger: CapturedLogs().logger())
        defer { producer.shutdown(timeout: .milliseconds(100)) }
        let answers = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<24 { group.addTask { await producer.checkConnection(timeout: .milliseconds(20)) } }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(answers == Array(repeating: false, count: 24))
    }
}

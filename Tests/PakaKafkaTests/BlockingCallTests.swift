import Foundation
@testable import PakaKafka
import Testing

/// The async conveniences run their blocking librdkafka calls on a fixed pool: a burst of calls
/// queues on it instead of starting a thread each.
@Suite struct BlockingCallTests {
    /// Threads of this process that are not librdkafka's own (named "rdk:…"), so that handles
    /// other tests create meanwhile count only by their one poll thread each.
    private static func nonLibrdkafkaThreads() -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.filter { task in
            let name = (try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8)) ?? ""
            return !name.hasPrefix("rdk:")
        }.count
    }

    @Test func aBurstOfConcurrentCallsDoesNotStartAThreadPerCall() async throws {
        // Nothing listens on port 1: each metadata check blocks until its timeout.
        let producer = try KafkaProducer(configuration: KafkaConfiguration(brokers: "127.0.0.1:1"), logger: CapturedLogs().logger())
        defer { producer.shutdown(timeout: .milliseconds(100)) }
        _ = await producer.checkConnection(timeout: .milliseconds(10))  // the pool is started
        let before = Self.nonLibrdkafkaThreads()
        let calls = 48
        let peak = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<calls {
                group.addTask { await producer.checkConnection(timeout: .milliseconds(50)) ? 1 : 0 }
            }
            var peak = before
            var done = 0
            while done < calls {
                // Sampled while calls are in flight: a thread per call would show up here.
                peak = max(peak, Self.nonLibrdkafkaThreads())
                if await group.next() != nil { done += 1 }
            }
            return peak
        }
        // Some slack for threads other tests start meanwhile; a thread per call would add 48.
        #expect(peak - before <= BlockingCall.threadCount + 8, "threads grew from \(before) to \(peak)")
        #expect(Self.nonLibrdkafkaThreads() - before <= BlockingCall.threadCount + 8)
    }
}

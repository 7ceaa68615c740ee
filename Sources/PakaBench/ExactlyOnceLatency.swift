import Foundation
import Logging
import PakaKafka
import PakaPipeline
import PakaPluginHost
import Synchronization

/// `paka-bench --exactly-once`, its latency part: the time from an input's publish until its
/// derived event is visible to a `read_committed` reader, at-least-once against exactly-once.
///
/// Inputs are paced (bursts of 5 every 10 ms, 500/s) so that the figure is the path's latency,
/// not a backlog's queueing. The reader runs on its own thread with `fetch.wait.max.ms` 10, as
/// the host's consumers do on the embedded cluster; its poll adds the same to both modes.
/// Exactly-once adds the wait for the commit cycle (`commitInterval`, 100 ms) and the
/// transaction's round trips.
enum ExactlyOnceLatency {
    struct Percentiles {
        let p50: Double, p99: Double, max: Double, count: Int
    }

    /// What the sending task and the reader's thread share.
    final class Tracker: Sendable {
        /// Input id → when it was handed to the producer.
        let sent = Mutex<[String: ContinuousClock.Instant]>([:])
        /// Input id → milliseconds until its derived event was read (the first one, if several).
        let seen = Mutex<[String: Double]>([:])
        let stop = Atomic<Bool>(false)
    }

    struct Setup {
        let cluster: EmbeddedKafkaCluster
        let registry: PluginRegistry
        let bus: KafkaBus
        let producer: KafkaProducer
        let consumerConfiguration: KafkaConfiguration
        let plugin: String
        let logger: Logger
    }

    static func measure(_ delivery: PluginDelivery, inputs: Int, setup: Setup) async throws -> Percentiles {
        let mode = delivery == .exactlyOnce ? "eos" : "alo"
        let topic = "bench.latency.\(mode)"
        try setup.cluster.createTopic(topic, partitions: 4)
        var readerConfiguration = setup.consumerConfiguration
        readerConfiguration.properties["isolation.level"] = "read_committed"
        readerConfiguration.properties["auto.offset.reset"] = "latest"  // not the throughput runs' derived events
        let reader = try KafkaConsumer(configuration: readerConfiguration, groupId: "latency-reader-\(mode)-\(UUID().uuidString)",
                                       topics: ["derive.out"], logger: setup.logger)
        let tracker = Tracker()
        let readerDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            while !tracker.stop.load(ordering: .relaxed) {
                for message in reader.poll(maxMessages: 500, timeout: .milliseconds(50)) {
                    let now = ContinuousClock.now
                    guard let from = derivedFrom(message), let at = tracker.sent.withLock({ $0[from] }) else { continue }
                    let elapsed = now - at
                    let ms = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
                    tracker.seen.withLock { if $0[from] == nil { $0[from] = ms } }
                }
            }
            reader.close()
            readerDone.signal()
        }
        defer {
            tracker.stop.store(true, ordering: .relaxed)
            readerDone.wait()
        }

        var entry = PluginEntry(name: "deriving", library: setup.plugin, groupId: "bench-\(topic)", topics: [topic], concurrency: 1, batchSize: 100)
        entry.delivery = delivery
        let refusals = setup.registry.apply(PakaConfiguration(pluginDir: "/", plugins: [entry]))
        guard refusals.isEmpty else { throw BenchFailure("deriving not loaded: \(refusals)") }
        let supervisor = ConsumerSupervisor(registry: setup.registry, bus: setup.bus, consumerConfiguration: setup.consumerConfiguration, logger: setup.logger)
        supervisor.instanceId = "bench-latency"
        let running = Task { try await supervisor.run() }
        defer { running.cancel() }

        func send(_ id: String, key: Int) throws {
            let event = CloudEvent(id: id, source: "paka/bench", type: topic, subject: "key-\(key % 240)", data: Array("{}".utf8))
            tracker.sent.withLock { $0[id] = .now }
            try setup.producer.send(topic: topic, key: Array(event.subject.utf8), value: event.jsonBytes) { _ in }
        }
        // Warm-up until the consumer's group and the reader's both answer: one input every 100 ms
        // until a derived event of one of them is seen.
        var warmUps = 0
        let warmUpDeadline = ContinuousClock.now + .seconds(60)
        while tracker.seen.withLock({ $0.isEmpty }) {
            guard ContinuousClock.now < warmUpDeadline else { throw BenchFailure("latency \(mode): no derived event seen within 60 s") }
            try send("lat-\(mode)-warm-\(warmUps)", key: warmUps)
            warmUps += 1
            try await Task.sleep(for: .milliseconds(100))
        }
        try await Task.sleep(for: .seconds(1))  // late warm-up events out of the way

        var tick = ContinuousClock.now
        for i in stride(from: 0, to: inputs, by: 5) {
            for n in i..<min(i + 5, inputs) { try send("lat-\(mode)-\(n)", key: n) }
            tick = tick.advanced(by: .milliseconds(10))
            try await Task.sleep(until: tick, clock: .continuous)
        }
        let ids = (0..<inputs).map { "lat-\(mode)-\($0)" }
        let deadline = ContinuousClock.now + .seconds(60)
        var latencies: [Double] = []
        while ContinuousClock.now < deadline {
            latencies = tracker.seen.withLock { seen in ids.compactMap { seen[$0] } }
            if latencies.count == inputs { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        running.cancel()
        _ = await running.result
        latencies.sort()
        guard !latencies.isEmpty else { throw BenchFailure("latency \(mode): no derived event of the paced inputs was seen") }
        func at(_ q: Double) -> Double { latencies[min(latencies.count - 1, Int((Double(latencies.count) * q).rounded(.up)) - 1)] }
        return Percentiles(p50: at(0.5), p99: at(0.99), max: latencies.last ?? 0, count: latencies.count)
    }

    /// The input id a derived event (`{"from": "<id>"}` in its CloudEvent data) came from.
    private static func derivedFrom(_ message: KafkaMessage) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(message.value)) as? [String: Any] else { return nil }
        return (object["data"] as? [String: Any])?["from"] as? String
    }
}

import Foundation
import Logging
import PakaKafka
import PakaPipeline
import PakaPluginHost

/// `paka-bench --lanes`: a processor that waits 20 ms per event (`Benchmarks/sleeper.c`) at
/// concurrency 1, 4, 16 and 64, against the ideal `concurrency × 1000 / 20` events/s, and a
/// skewed run where one hot key carries half the events. Through the same supervisor and
/// consumer loop `paka serve` runs, on a 3-broker embedded cluster with 4 partitions.
enum LaneBench {
    static let delayMs = 20

    static func run(arguments: [String], logger: Logger) async throws {
        guard let plugin = arguments.firstIndex(of: "--sleeper-plugin").map({ arguments[$0 + 1] }) else {
            print("paka-bench --lanes needs --sleeper-plugin PATH (Benchmarks/sleeper.c, built as scripts/bench builds it)")
            return
        }
        let levels = arguments.firstIndex(of: "--lane-levels").map { arguments[$0 + 1].split(separator: ",").compactMap { Int($0) } } ?? [1, 4, 16, 64]
        let cluster = try EmbeddedKafkaCluster(brokerCount: 3, logger: logger)
        defer { cluster.shutdown() }
        let host = try BenchHost(bootstrap: cluster.bootstrapServers, scratch: "paka-bench-lanes", logger: logger)

        var rows: [String] = []
        for concurrency in levels {
            let keys = max(60, 4 * concurrency), events = max(300, 150 * concurrency)
            let topic = "bench.lanes.c\(concurrency)"
            try cluster.createTopic(topic, partitions: 4)
            try produce(host.producer, topic: topic, events: events) { "key-\($0 % keys)" }
            let seconds = try await consume(topic: topic, events: events, concurrency: concurrency, plugin: plugin, host: host, logger: logger).total
            let rate = Double(events) / seconds, ideal = Double(concurrency * 1000 / delayMs)
            rows.append("| \(delayMs) ms per event, concurrency \(concurrency), \(events) events over \(keys) keys | \(Int(ideal)) | \(Int(rate)) | \(String(format: "%.2f", rate / ideal)) |")
        }
        // Skewed: 16 lanes, half of 400 events on one key (which can only run one at a time).
        let skewTopic = "bench.lanes.skew"
        try cluster.createTopic(skewTopic, partitions: 4)
        let skewEvents = 400
        try produce(host.producer, topic: skewTopic, events: skewEvents) { $0 % 2 == 0 ? "hot" : "cold-\($0)" }
        let skew = try await consume(topic: skewTopic, events: skewEvents, concurrency: 16, plugin: plugin, host: host, logger: logger)
        let hotSerial = Double(skewEvents / 2 * delayMs) / 1000
        rows.append("| skewed, concurrency 16: 1 hot key carries 200 of 400 events | first 200 done in \(String(format: "%.2f", hotSerial)) s if the hot key held the rest back | "
                    + "first 200 done in \(String(format: "%.2f", skew.half)) s, all in \(String(format: "%.2f", skew.total)) s | \(String(format: "%.2f", skew.half / hotSerial)) |")
        print("""
            | lanes (3 brokers, 4 partitions, batch 100) | ideal (events/s) | Paka host (events/s) | ratio |
            |---|---|---|---|
            \(rows.joined(separator: "\n"))
            """)
        await host.shutdown()
    }

    private static func produce(_ producer: KafkaProducer, topic: String, events: Int, key: (Int) -> String) throws {
        for i in 0..<events {
            let event = CloudEvent(source: "paka/bench", type: topic, subject: key(i), data: Array(#"{"n":\#(i)}"#.utf8))
            try producer.send(topic: topic, key: Array(event.subject.utf8), value: event.jsonBytes) { _ in }
        }
        while producer.flush(timeout: .milliseconds(100)) > 0 {}
    }

    /// Seconds from the first handled event until half and until all were handled.
    private static func consume(topic: String, events: Int, concurrency: Int, plugin: String, host: BenchHost,
                                logger: Logger) async throws -> (half: Double, total: Double) {
        var entry = PluginEntry(name: "sleeper", library: plugin, groupId: "bench-\(topic)", topics: [topic], concurrency: concurrency,
                                batchSize: 100, config: .object(["delayMs": .number(Double(delayMs))]))
        entry.maxInFlight = 10_000
        let (loaded, running) = try host.start(entry, logger: logger)
        let base = loaded.counters.snapshot.handled
        while loaded.counters.snapshot.handled == base { try await Task.sleep(for: .milliseconds(1)) }
        let start = Date()
        var half: Double?
        while loaded.counters.snapshot.handled - base < events {
            if half == nil, loaded.counters.snapshot.handled - base >= events / 2 { half = Date().timeIntervalSince(start) }
            try await Task.sleep(for: .milliseconds(1))
        }
        let total = Date().timeIntervalSince(start)
        running.cancel()
        _ = await running.result
        return (half ?? total, total)
    }
}

struct BenchFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

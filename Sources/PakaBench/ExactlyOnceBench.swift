import Foundation
import Logging
import PakaKafka
import PakaPipeline
import PakaPluginHost

/// `paka-bench --exactly-once`: a processor that publishes one derived event per input
/// (`Tests/Fixtures/deriving.c`), at-least-once against exactly-once, through the supervisor and
/// consumer loop `paka serve` runs, on a 3-broker embedded cluster with 4 partitions. A run
/// ends when every derived event is in the derived topic (its high watermark), so both modes
/// pay for their outputs; exactly-once also for the per-event calls and the transactions.
/// Then the publish → visible latency of each mode (``ExactlyOnceLatency``).
enum ExactlyOnceBench {
    static func run(arguments: [String], logger: Logger) async throws {
        guard let plugin = arguments.firstIndex(of: "--deriving-plugin").map({ arguments[$0 + 1] }) else {
            print("paka-bench --exactly-once needs --deriving-plugin PATH (Tests/Fixtures/deriving.c, built as scripts/bench builds it)")
            return
        }
        let events = arguments.firstIndex(of: "--events").map { Int(arguments[$0 + 1]) ?? 20_000 } ?? 20_000
        let latencyInputs = arguments.firstIndex(of: "--latency-inputs").map { Int(arguments[$0 + 1]) ?? 2_000 } ?? 2_000
        let cluster = try EmbeddedKafkaCluster(brokerCount: 3, logger: logger)
        defer { cluster.shutdown() }
        let configuration = KafkaConfiguration(brokers: cluster.bootstrapServers, clientId: "paka-bench")
        var consumerConfiguration = configuration
        consumerConfiguration.properties.merge(EmbeddedKafkaCluster.fastConsumerProperties) { mine, _ in mine }
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        let bus = try KafkaBus(configuration: configuration, logger: logger)
        let services = HostServices(dataDirectory: NSTemporaryDirectory() + "paka-bench", logger: logger)
        let registry = PluginRegistry(services: services, options: .init(allowInsecurePermissions: true), logger: logger)
        let router = EventRouter(synchronous: SynchronousDispatcher(registry: registry, spool: LocalSpool(dataDirectory: NSTemporaryDirectory() + "paka-bench", logger: logger),
                                                                    logger: logger), logger: logger)
        services.connect(router)
        router.attach(bus)
        _ = bus.refreshConnection(timeout: .seconds(5))
        let reader = try KafkaTopicReader(configuration: configuration, logger: logger)
        try cluster.createTopic("derive.out", partitions: 4)

        var rows: [String] = []
        for concurrency in events > 0 ? [1, 4] : [] {  // --events 0: the latency part only
            var rates: [PluginDelivery: Double] = [:]
            for delivery in [PluginDelivery.atLeastOnce, .exactlyOnce] {
                let topic = "bench.derive.\(delivery == .exactlyOnce ? "eos" : "alo").c\(concurrency)"
                try cluster.createTopic(topic, partitions: 4)
                for i in 0..<events {
                    let event = CloudEvent(source: "paka/bench", type: topic, subject: "key-\(i % 240)", data: Array("{}".utf8))
                    try producer.send(topic: topic, key: Array(event.subject.utf8), value: event.jsonBytes) { _ in }
                }
                while await producer.flush(timeout: .milliseconds(100)) > 0 {}
                let before = try derivedCount(reader)
                var entry = PluginEntry(name: "deriving", library: plugin, groupId: "bench-\(topic)", topics: [topic], concurrency: concurrency, batchSize: 100)
                entry.delivery = delivery
                entry.maxInFlight = 10_000
                let refusals = registry.apply(PakaConfiguration(pluginDir: "/", plugins: [entry]))
                guard refusals.isEmpty else { throw BenchFailure("deriving not loaded: \(refusals)") }
                let supervisor = ConsumerSupervisor(registry: registry, bus: bus, consumerConfiguration: consumerConfiguration, logger: logger)
                supervisor.instanceId = "bench"
                let running = Task { try await supervisor.run() }
                while try derivedCount(reader) == before { try await Task.sleep(for: .milliseconds(1)) }
                let start = Date()
                while try derivedCount(reader) - before < events { try await Task.sleep(for: .milliseconds(2)) }
                rates[delivery] = Double(events) / Date().timeIntervalSince(start)
                running.cancel()
                _ = await running.result
            }
            let alo = rates[.atLeastOnce] ?? 0, eos = rates[.exactlyOnce] ?? 0
            rows.append("| \(events) inputs, one derived event each, concurrency \(concurrency) | \(Int(alo)) | \(Int(eos)) | \(String(format: "%.2f", eos / alo)) |")
        }
        print("""
            | exactly-once (3 brokers, 4 partitions, batch 100, commit every 100 ms) | at-least-once (events/s) | exactly-once (events/s) | ratio |
            |---|---|---|---|
            \(rows.joined(separator: "\n"))
            """)
        let setup = ExactlyOnceLatency.Setup(cluster: cluster, registry: registry, bus: bus, producer: producer,
                                             consumerConfiguration: consumerConfiguration, plugin: plugin, logger: logger)
        var latencyRows: [String] = []
        for delivery in [PluginDelivery.atLeastOnce, .exactlyOnce] {
            let latency = try await ExactlyOnceLatency.measure(delivery, inputs: latencyInputs, setup: setup)
            latencyRows.append("| \(delivery.rawValue) | \(String(format: "%.1f", latency.p50)) | \(String(format: "%.1f", latency.p99)) "
                               + "| \(String(format: "%.1f", latency.max)) | \(latency.count) of \(latencyInputs) |")
        }
        print("""

            | publish → visible to a read_committed reader (paced 500 inputs/s, concurrency 1, batch 100) | p50 (ms) | p99 (ms) | max (ms) | seen |
            |---|---|---|---|---|
            \(latencyRows.joined(separator: "\n"))
            """)
        await producer.shutdown(timeout: .seconds(2))
        bus.shutdown(timeout: .seconds(2))
        registry.shutdown()
    }

    /// Records in `derive.out` (the mock writes no transaction markers, so records = offsets).
    private static func derivedCount(_ reader: KafkaTopicReader) throws -> Int {
        var total: Int64 = 0
        for partition in Int32(0)..<4 { total += try reader.watermarks(topic: "derive.out", partition: partition, timeout: .seconds(5)).high }
        return Int(total)
    }
}

import Foundation
import Logging
import PakaKafka
import PakaPipeline
import PakaPluginHost

/// `scripts/bench`: the host's Kafka paths against raw librdkafka, measured in one run on one
/// embedded cluster, then the audit processor against psql COPY (AuditBench). Prints Markdown
/// tables of rates and ratios.
@main
struct PakaBench {
    static func main() async throws {
        let arguments = CommandLine.arguments
        if arguments.contains("--swap") { return try await SwapBench.run(arguments: arguments) }
        let events = arguments.firstIndex(of: "--events").map { Int(arguments[$0 + 1])! } ?? 50_000
        let noop = arguments.firstIndex(of: "--noop-plugin").map { arguments[$0 + 1] } ?? "noop.so"
        var logger = Logger(label: "paka-bench")
        logger.logLevel = .error
        if arguments.contains("--isolation") { return try await IsolationBench.run(arguments: arguments, logger: logger) }
        if arguments.contains("--lanes") { return try await LaneBench.run(arguments: arguments, logger: logger) }
        if arguments.contains("--soak") { return try await SoakBench.run(arguments: arguments, logger: logger) }
        if let plugin = arguments.firstIndex(of: "--notification-plugin").map({ arguments[$0 + 1] }) {
            guard let databaseURL = ProcessInfo.processInfo.environment["DATABASE_URL"], !databaseURL.isEmpty else {
                print("paka-bench --notification-plugin needs DATABASE_URL (scripts/bench starts a PostgreSQL)")
                return
            }
            return print(try await NotificationBench.run(plugin: plugin, databaseURL: databaseURL, concurrencies: [1, 16], logger: logger))
        }
        if arguments.contains("--exactly-once") { return try await ExactlyOnceBench.run(arguments: arguments, logger: logger) }
        if arguments.contains("--audit-only") { return try AuditBench.run(arguments: arguments, rows: events, logger: logger) }

        // Document processor: needs its .so and PostgreSQL (scripts/bench provides both).
        if let plugin = arguments.firstIndex(of: "--document-plugin").map({ arguments[$0 + 1] }),
           let databaseURL = ProcessInfo.processInfo.environment["DATABASE_URL"], !databaseURL.isEmpty {
            let documents = arguments.firstIndex(of: "--documents").map { Int(arguments[$0 + 1])! } ?? 300
            print(try DocumentBench.run(plugin: plugin, databaseURL: databaseURL, documents: documents, logger: logger) + "\n")
            if arguments.contains("--documents-only") { return }
        }

        // Each mock partition keeps only ~5 MiB / ~100k message sets: 6 partitions hold 50 k events
        // of ~330 bytes each; for more events pass more partitions (e.g. 200 000 → --partitions 24).
        let partitions = arguments.firstIndex(of: "--partitions").map { Int32(arguments[$0 + 1])! } ?? 6
        let cluster = try EmbeddedKafkaCluster(brokerCount: 3, logger: logger)
        for topic in ["bench.raw", "bench.raw.dlq", "bench.host", "bench.host.dlq", "bench.plugin"] { try cluster.createTopic(topic, partitions: partitions) }
        let sample = CloudEvent(source: "paka/bench", type: "bench.raw", subject: "key-000000",
                                data: Array(#"{"action":"document.viewed","resource":"document","resourceId":123456,"details":{"note":"benchmark"}}"#.utf8))

        let rawProduce = RawKafka.produce(bootstrap: cluster.bootstrapServers, topic: "bench.raw", payload: sample.jsonBytes, count: events)

        let services = HostServices(dataDirectory: NSTemporaryDirectory() + "paka-bench", logger: logger)
        let registry = PluginRegistry(services: services, options: .init(allowInsecurePermissions: true), logger: logger)
        let spool = LocalSpool(dataDirectory: NSTemporaryDirectory() + "paka-bench", logger: logger)
        let router = EventRouter(synchronous: SynchronousDispatcher(registry: registry, spool: spool, logger: logger), logger: logger)
        services.connect(router)
        let configuration = KafkaConfiguration(brokers: cluster.bootstrapServers, clientId: "paka-bench")
        let bus = try KafkaBus(configuration: configuration, logger: logger)
        _ = bus.refreshConnection(timeout: .seconds(5))
        router.attach(bus)
        // --consume-only: just the consume rows (for profiling the consume path).
        let consumeOnly = arguments.contains("--consume-only")
        let hostProduce = consumeOnly ? rawProduce : try await publishThroughHost(router: router, events: events, data: sample.data)
        let pluginPublish = consumeOnly ? rawProduce : publishAsPlugin(services: services, bus: bus, events: events, data: sample.data)
        if arguments.contains("--produce-only") {
            let raw = Double(events) / rawProduce, host = Double(events) / hostProduce
            print("| produce (\(events) events, \(sample.jsonBytes.count) B) | raw \(Int(raw)) ev/s | host \(Int(host)) ev/s | ratio \(String(format: "%.2f", host / raw)) |")
            bus.shutdown(timeout: .seconds(2))
            cluster.shutdown()
            return
        }

        let rawConsume = RawKafka.consume(bootstrap: cluster.bootstrapServers, topic: "bench.raw", count: events)
        // Both consumers read the same messages (the raw producer's topic, in groups of their
        // own): how a producer batched a topic changes how fast any consumer reads it back, and
        // the host's publish path batches differently (linger.ms=1, awaited sends).
        registry.apply(PakaConfiguration(pluginDir: "/", plugins: [PluginEntry(name: "noop", library: noop, topics: ["bench.raw"], batchSize: 500)]))
        // The consumer settings `paka serve` gives consumers of the embedded cluster, among them
        // the C host's fetch.wait.max.ms=10 (the mock holds an empty Fetch that long; librdkafka's
        // default of 500 ms left the host's consumer idle for half a second at a time).
        var consumerConfiguration = configuration
        consumerConfiguration.properties.merge(EmbeddedKafkaCluster.fastConsumerProperties) { mine, _ in mine }
        // KAFKA_PROPERTY_* (as `paka serve` reads them) override, for experiments with the consumer's settings.
        consumerConfiguration.properties.merge(KafkaConfiguration.fromEnvironment(ProcessInfo.processInfo.environment).properties) { _, env in env }
        let hostConsume = await consumeThroughHost(registry: registry, bus: bus, configuration: consumerConfiguration, events: events, logger: logger)

        // The honest consume limit: a minimal C host (consume a batch → the plugin's handle →
        // store offsets per partition), same cluster, same topic, its own group.
        let minimalHost = try arguments.firstIndex(of: "--minimal-host").map {
            try MinimalHost.consume(executable: arguments[$0 + 1], bootstrap: cluster.bootstrapServers, topic: "bench.raw",
                                    count: events, plugin: noop, batch: 500)
        }

        func row(_ name: String, _ baseline: String, _ seconds: Double?, _ host: Double) -> String {
            guard let seconds else { return "| \(name) | \(baseline) | not run | \(Int(Double(events) / host)) | — |" }
            let b = Double(events) / seconds, h = Double(events) / host
            return "| \(name) | \(baseline) | \(Int(b)) | \(Int(h)) | \(String(format: "%.2f", h / b)) |"
        }
        var rows = [
            row("consume → no-op C plugin → offset store", "minimal C host (Benchmarks/minimal_host.c)", minimalHost, hostConsume),
            row("consume → no-op C plugin → offset store", "rd_kafka_consumer_poll loop that only counts", rawConsume, hostConsume)]
        if !consumeOnly {
            rows.insert(contentsOf: [
                row("produce: EventRouter.publish, each send awaited (acks=all)", "rd_kafka_produce loop, fire and forget", rawProduce, hostProduce),
                row("plugin publish: host table publish, fire and track, until all acknowledged", "rd_kafka_produce loop, fire and forget", rawProduce, pluginPublish)], at: 0)
        }
        print("""
            | path (\(events) events, \(sample.jsonBytes.count) B each, \(partitions) partitions) | baseline | baseline (events/s) | Paka host (events/s) | ratio |
            |---|---|---|---|---|
            \(rows.joined(separator: "\n"))
            """)
        bus.shutdown(timeout: .seconds(2))
        registry.shutdown()
        cluster.shutdown()
        if arguments.contains("--kafka-only") || consumeOnly { return }
        try AuditBench.run(arguments: arguments, rows: events, logger: logger)
    }

    /// The host's publish path with 512 publishes in flight, each awaiting its acknowledgement.
    static func publishThroughHost(router: EventRouter, events: Int, data: [UInt8]) async throws -> Double {
        let start = Date()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<events {
                if i >= 512 { try await group.next() }
                group.addTask {
                    let receipt = await router.publish(CloudEvent(source: "paka/bench", type: "bench.host", subject: "key-\(i)", data: data))
                    precondition(receipt.mode == .kafka, "the benchmark fell back to synchronous processing")
                }
            }
            try await group.waitForAll()
        }
        return Date().timeIntervalSince(start)
    }

    /// A plugin's publishes (what the C host table's `publish` calls): no task and no await per
    /// event, delivery tracked by librdkafka's reports; seconds until every event is acknowledged.
    static func publishAsPlugin(services: HostServices, bus: KafkaBus, events: Int, data: [UInt8]) -> Double {
        let start = Date()
        for i in 0..<events {
            precondition(services.publish(from: "bench", topic: "bench.plugin", key: "key-\(i)", data: data), "publish refused")
        }
        while bus.currentProducer.flush(timeout: .milliseconds(100)) > 0 {}
        return Date().timeIntervalSince(start)
    }

    /// Time from the first to the last event handled by the no-op plugin, offsets stored,
    /// through the same supervisor and consumer loop `paka serve` runs.
    static func consumeThroughHost(registry: PluginRegistry, bus: KafkaBus, configuration: KafkaConfiguration, events: Int, logger: Logger) async -> Double {
        let plugin = registry.active(named: "noop")!
        let supervisor = ConsumerSupervisor(registry: registry, bus: bus, consumerConfiguration: configuration, logger: logger)
        let running = Task { try await supervisor.run() }
        while plugin.counters.snapshot.handled == 0 { try? await Task.sleep(for: .milliseconds(1)) }
        let start = Date()
        while plugin.counters.snapshot.handled < events { try? await Task.sleep(for: .milliseconds(1)) }
        let seconds = Date().timeIntervalSince(start)
        running.cancel()
        _ = await running.result
        return seconds
    }
}

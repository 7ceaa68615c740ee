import Foundation
import PakaKafka
@testable import PakaPipeline
@testable import PakaPluginHost
@testable import PakaServer

/// The crashing C fixture behind a real embedded Kafka cluster, in process isolation (workers
/// are the `paka` executable built by `swift build`), with a consumer loop like the host's.
final class CrashHarness: @unchecked Sendable {
    static let topic = "scripted.in"

    let dir = TemporaryDirectory()
    let cluster: EmbeddedKafkaCluster
    let registry: PluginRegistry
    let router: EventRouter
    let bus: KafkaBus
    let record: String
    /// The host's metrics registry, as the server would hand it to the plugin registry.
    let metrics = PakaMetrics()
    let configuration: KafkaConfiguration
    let entry: PluginEntry

    /// - Parameter defines: build flags of the fixture (`CRASH_IN_HEALTH`, …).
    init(defines: [String] = [], isolation: PluginIsolation = .process, handleTimeoutMs: Int = 30_000, maxAttempts: Int = 2,
         batchSize: Int = 100, workerMemoryLimitMb: Int? = nil, extraConfig: [String: JSONValue] = [:]) throws {
        _ = TestPaths.workerExecutableInEnvironment
        cluster = try EmbeddedKafkaCluster(brokerCount: 1, logger: .test)
        for topic in [Self.topic, Topics.deadLetter(of: Self.topic), "echo.out"] { try cluster.createTopic(topic, partitions: 1) }
        configuration = KafkaConfiguration(brokers: cluster.bootstrapServers, clientId: "paka-test",
                                           properties: EmbeddedKafkaCluster.fastConsumerProperties.merging(["message.timeout.ms": "3000"]) { a, _ in a })
        record = dir.file("record.txt")
        let services = HostServices(dataDirectory: dir.file("data"), logger: .test)
        registry = PluginRegistry(services: services, options: .init(metrics: metrics.factory), logger: .test)
        let spool = LocalSpool(dataDirectory: dir.file("data"), logger: .test)
        router = EventRouter(synchronous: SynchronousDispatcher(registry: registry, spool: spool, logger: .test), logger: .test)
        services.connect(router)
        bus = try KafkaBus(configuration: configuration, logger: .test)
        router.attach(bus)
        var entry = PluginEntry(name: "crashing", library: try Self.fixture(defines), batchSize: batchSize,
                                retry: RetryPolicy(initialBackoffMs: 50, maxBackoffMs: 200),
                                config: .object(["record": .string(record)].merging(extraConfig) { a, _ in a }))
        entry.isolation = isolation
        entry.handleTimeoutMs = handleTimeoutMs
        entry.crash.maxAttempts = maxAttempts
        entry.workerMemoryLimitMb = workerMemoryLimitMb
        self.entry = entry
        _ = bus.refreshConnection(timeout: .seconds(5))
    }

    static func fixture(_ defines: [String] = []) throws -> String {
        try PluginCompiler.build("\(TestPaths.fixtures)/crashing.c", defines: defines, name: "crashing")
    }

    /// Loads the plugin; the refusals (empty when it started).
    /// - Parameter others: more plugins loaded beside the crashing one (bystanders).
    @discardableResult
    func apply(others: [PluginEntry] = []) -> [PluginLoadError] {
        registry.apply(PakaConfiguration(pluginDir: dir.path, plugins: [entry] + others))
    }

    deinit {
        bus.shutdown(timeout: .milliseconds(500))
        registry.shutdown()
        cluster.shutdown()
    }

    var plugin: LoadedPlugin? { registry.active(named: "crashing") }

    func startConsumer(plugin: String = "crashing") throws -> PipelineHarness.RunningConsumer {
        let settings = ConsumerLoop.Settings(pluginName: plugin, groupId: "paka-\(plugin)", topics: [Self.topic],
                                             batchSize: entry.batchSize, retry: entry.retry)
        return PipelineHarness.RunningConsumer(try ConsumerLoop(settings: settings, configuration: configuration, registry: registry, bus: bus, logger: .test))
    }

    /// Publishes events with one key (one partition, in order); `data` is the CloudEvent data.
    func publish(_ events: [(id: String, data: String)]) async {
        for (id, data) in events {
            _ = await router.publish(CloudEvent(id: id, source: "test", type: Self.topic, subject: "one-resource", data: Array(data.utf8)))
        }
    }

    struct Handled: Equatable { let id: String; let attempt: Int; let pid: Int32 }

    /// What the plugin finished, in order.
    var recorded: [Handled] {
        guard let text = try? String(contentsOfFile: record, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map { line in
            let f = line.split(separator: " ").map(String.init)
            return Handled(id: f[0], attempt: f.count > 1 ? Int(f[1]) ?? 0 : 0, pid: f.count > 2 ? Int32(f[2]) ?? 0 : 0)
        }
    }

    func count(of id: String) -> Int { recorded.filter { $0.id == id }.count }

    /// Reads a whole topic with a fresh group (e.g. the `.dlq`).
    func readAll(_ topic: String, expecting count: Int, seconds: Double = 20) async throws -> [KafkaMessage] {
        try await readTopic(topic, expecting: count, seconds: seconds, configuration: configuration)
    }
}

extension KafkaMessage {
    func headerText(_ name: String) -> String? {
        headers.first { $0.name == name }?.value.map { String(decoding: $0, as: UTF8.self) }
    }
}

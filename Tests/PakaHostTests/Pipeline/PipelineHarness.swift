import Foundation
import Logging
import PakaKafka
@testable import PakaPipeline
@testable import PakaPluginHost
import PakaTestSupport
import Synchronization

/// A host's Kafka side on a real embedded cluster: the scripted C plugin (which appends every
/// event it finishes to a record file), the publish path, and consumer loops on their own threads.
final class PipelineHarness: @unchecked Sendable {
    static let topic = "scripted.in"

    let dir = TemporaryDirectory()
    /// In a child process: tests here take brokers down, which the in-process mock cannot do
    /// safely while this process spawns children (see ``BrokerProcess``).
    let cluster: BrokerProcess
    let registry: PluginRegistry
    let router: EventRouter
    let bus: KafkaBus
    let spool: LocalSpool
    let record: String
    let configuration: KafkaConfiguration

    init(partitions: Int32 = 1, retry: RetryPolicy = RetryPolicy(initialBackoffMs: 50, maxBackoffMs: 200),
         batchSize: Int = 100, plugin: String? = nil, messageTimeoutMs: Int = 3000, properties: [String: String] = [:],
         concurrency: Int = 1, ordering: PluginOrdering = .key, maxInFlight: Int = 1000) throws {
        cluster = try BrokerProcess(brokers: 3, topics: [Self.topic, Topics.deadLetter(of: Self.topic), "echo.out"].map { ($0, partitions) })
        configuration = KafkaConfiguration(
            brokers: cluster.bootstrapServers, clientId: "paka-test",
            properties: EmbeddedKafkaCluster.fastConsumerProperties.merging(["message.timeout.ms": "\(messageTimeoutMs)"]) { a, _ in a }
                .merging(properties) { _, given in given })
        record = dir.file("record.txt")
        let services = HostServices(dataDirectory: dir.file("data"), logger: .test)
        registry = PluginRegistry(services: services, logger: .test)
        spool = LocalSpool(dataDirectory: dir.file("data"), logger: .test)
        router = EventRouter(synchronous: SynchronousDispatcher(registry: registry, spool: spool, logger: .test), logger: .test)
        services.connect(router)
        bus = try KafkaBus(configuration: configuration, logger: .test)
        router.attach(bus)
        let library = try plugin ?? PluginCompiler.build(name: "scripted")
        var entry = PluginEntry(name: "scripted", library: library, concurrency: concurrency, batchSize: batchSize, retry: retry,
                                config: .object(["record": .string(record)]))
        entry.ordering = ordering
        entry.maxInFlight = maxInFlight
        let refusals = registry.apply(PakaConfiguration(pluginDir: dir.path, plugins: [entry]))
        precondition(refusals.isEmpty, "\(refusals)")
        _ = bus.refreshConnection(timeout: .seconds(5))
    }

    deinit {
        bus.shutdown(timeout: .milliseconds(500))
        registry.shutdown()
        cluster.shutdown()
    }

    /// A consumer loop running on its own thread, as the supervisor would start it.
    final class RunningConsumer: @unchecked Sendable {
        let loop: ConsumerLoop
        private let finished = DispatchSemaphore(value: 0)

        init(_ loop: ConsumerLoop) {
            self.loop = loop
            let thread = Thread { [finished] in
                loop.run()
                finished.signal()
            }
            thread.start()
        }

        /// Graceful stop: the batch in hand finishes, offsets are committed, the group is left.
        /// The wait (a commit and a group leave, seconds on a loaded machine) is on a thread of
        /// its own, not on one of the two cooperative threads.
        func stop() async {
            loop.requestStop()
            _ = try? await onOwnThread { [finished] in finished.wait() }
        }
    }

    func startConsumer(group: String = "paka-scripted", maxEventBytes: Int = 1 << 20, registry: PluginRegistry? = nil,
                       deadLetterWaitAtStop: Duration = .seconds(10)) throws -> RunningConsumer {
        let plugin = (registry ?? self.registry).active(named: "scripted")!
        let shape = ConsumerShape(plugin.entry)
        var settings = ConsumerLoop.Settings(pluginName: "scripted", groupId: group, topics: [Self.topic], batchSize: shape.batchSize,
                                             retry: plugin.entry.retry, maxEventBytes: maxEventBytes, concurrency: shape.concurrency,
                                             ordering: shape.ordering, maxInFlight: shape.maxInFlight)
        settings.deadLetterWaitAtStop = deadLetterWaitAtStop
        return RunningConsumer(try ConsumerLoop(settings: settings, configuration: configuration, registry: registry ?? self.registry, bus: bus, logger: .test))
    }

    func event(_ id: String, key: String = "k", data: String = "{}") -> CloudEvent {
        CloudEvent(id: id, source: "test", type: Self.topic, subject: key, data: Array(data.utf8))
    }

    struct Handled: Equatable { let version: String; let id: String; let attempt: Int; let partition: Int }

    /// What the plugin finished, in order: "<version> <id> <attempt> <partition>" lines.
    static func recorded(_ path: String) -> [Handled] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map { line in
            let f = line.split(separator: " ").map(String.init)
            return Handled(version: f[0], id: f[1], attempt: Int(f[2]) ?? 0, partition: Int(f[3]) ?? -1)
        }
    }

    var recorded: [Handled] { Self.recorded(record) }

    /// Reads a whole topic with a fresh group (e.g. the `.dlq`).
    func readAll(_ topic: String, expecting count: Int) async throws -> [KafkaMessage] {
        try await readTopic(topic, expecting: count, configuration: configuration)
    }
}

/// Reads a whole topic with a fresh group (e.g. the `.dlq`) until `count` messages or `seconds`,
/// on a thread of its own (it polls for seconds).
func readTopic(_ topic: String, expecting count: Int, seconds: Double = 20, configuration: KafkaConfiguration) async throws -> [KafkaMessage] {
    try await onOwnThread {
        let reader = try KafkaConsumer(configuration: configuration, groupId: "reader-\(UUID().uuidString)", topics: [topic], logger: .test)
        defer { reader.close() }
        var messages: [KafkaMessage] = []
        let deadline = Date().addingTimeInterval(seconds)
        while messages.count < count && Date() < deadline { messages += reader.poll(maxMessages: 100, timeout: .milliseconds(200)) }
        return messages
    }
}


import Foundation
import Logging
import PakaKafka
import PakaPipeline
import PakaPluginHost

/// The host side the pipeline benchmarks run against one cluster: a producer to feed topics, the
/// bus, a registry, the router plugins publish through (as `paka serve` wires them), and the
/// consumer settings `paka serve` gives consumers of a mock cluster.
struct BenchHost {
    let producer: KafkaProducer
    let bus: KafkaBus
    let registry: PluginRegistry
    /// What a plugin's `publish` goes through; unconnected, every publish is refused as "still starting".
    let router: EventRouter
    let consumerConfiguration: KafkaConfiguration

    init(bootstrap: String, scratch: String, logger: Logger) throws {
        let configuration = KafkaConfiguration(brokers: bootstrap, clientId: "paka-bench")
        var consumerConfiguration = configuration
        consumerConfiguration.properties.merge(EmbeddedKafkaCluster.fastConsumerProperties) { mine, _ in mine }
        self.consumerConfiguration = consumerConfiguration
        producer = try KafkaProducer(configuration: configuration, logger: logger)
        bus = try KafkaBus(configuration: configuration, logger: logger)
        let services = HostServices(dataDirectory: NSTemporaryDirectory() + scratch, logger: logger)
        registry = PluginRegistry(services: services, options: .init(allowInsecurePermissions: true), logger: logger)
        let spool = LocalSpool(dataDirectory: NSTemporaryDirectory() + scratch, logger: logger)
        router = EventRouter(synchronous: SynchronousDispatcher(registry: registry, spool: spool, logger: logger), logger: logger)
        services.connect(router)
        router.attach(bus)
    }

    /// `entry` loaded (replacing what ran before) and its consumer started under a supervisor.
    func start(_ entry: PluginEntry, logger: Logger) throws -> (plugin: LoadedPlugin, consuming: Task<Void, Error>) {
        let refusals = registry.apply(PakaConfiguration(pluginDir: "/", plugins: [entry]))
        guard refusals.isEmpty, let loaded = registry.active(named: entry.name) else { throw BenchFailure("\(entry.name) not loaded: \(refusals)") }
        let supervisor = ConsumerSupervisor(registry: registry, bus: bus, consumerConfiguration: consumerConfiguration, logger: logger)
        return (loaded, Task { try await supervisor.run() })
    }

    func shutdown() async {
        await producer.shutdown(timeout: .seconds(2))
        bus.shutdown(timeout: .seconds(2))
        registry.shutdown()
    }
}

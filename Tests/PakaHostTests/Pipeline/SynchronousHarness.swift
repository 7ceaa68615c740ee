import Foundation
@testable import PakaPipeline
@testable import PakaPluginHost

/// The synchronous fallback without Kafka: scripted C plugins (each with its own name and topic)
/// behind a router whose dispatcher and spool the test chooses.
final class SynchronousHarness: @unchecked Sendable {
    let dir = TemporaryDirectory()
    let registry: PluginRegistry
    let spool: LocalSpool
    let dispatcher: SynchronousDispatcher
    let router: EventRouter

    /// `plugins`: name → (topic, retry policy); every plugin is the scripted fixture built under that name.
    init(plugins: [(name: String, topic: String, retry: RetryPolicy)], laneCapacity: Int = 256, maxHeldBytes: Int = 64 << 20,
         spoolCounters: SpoolCounters = SpoolCounters()) throws {
        let services = HostServices(dataDirectory: dir.file("data"), logger: .test)
        registry = PluginRegistry(services: services, logger: .test)
        spool = LocalSpool(dataDirectory: dir.file("data"), logger: .test, counters: spoolCounters, maxHeldBytes: maxHeldBytes)
        // A pool of its own: the shared one serves every host the test process runs at once.
        dispatcher = SynchronousDispatcher(registry: registry, spool: spool, logger: .test, pool: BlockingPool(threads: 4))
        router = EventRouter(synchronous: dispatcher, logger: .test)
        services.connect(router)
        var entries: [PluginEntry] = []
        for plugin in plugins {
            let library = try PluginCompiler.build(defines: ["FIXTURE_NAME=\"\(plugin.name)\""], name: plugin.name)
            var entry = PluginEntry(name: plugin.name, library: library, topics: [plugin.topic], retry: plugin.retry,
                                    config: .object(["record": .string(record(of: plugin.name))]))
            entry.synchronousQueueLimit = laneCapacity
            entries.append(entry)
        }
        let refusals = registry.apply(PakaConfiguration(pluginDir: dir.path, plugins: entries))
        precondition(refusals.isEmpty, "\(refusals)")
    }

    deinit { registry.shutdown() }

    func record(of plugin: String) -> String { dir.file("\(plugin).record") }
    func recorded(by plugin: String) -> [PipelineHarness.Handled] { PipelineHarness.recorded(record(of: plugin)) }
    func retries(of plugin: String) -> Int { registry.active(named: plugin)?.counters.snapshot.retried ?? 0 }

    func event(_ id: String, topic: String, data: String = "{}") -> CloudEvent {
        CloudEvent(id: id, source: "test", type: topic, subject: "k", data: Array(data.utf8))
    }
}

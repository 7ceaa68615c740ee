import Foundation
import PakaPipeline
import PakaPluginHost
import PakaPostgres
import Testing

/// Audit events as the host hands them to plugins.
enum AuditFixtures {
    static func event(id: String = UUID().uuidString.lowercased(), data: String, time: Date = Date(), partition: Int32 = -1, attempt: UInt32 = 1) -> PluginEvent {
        let envelope = CloudEvent(id: id, source: "paka/test", type: "audit.event", time: time, subject: "s-\(id)", data: Array(data.utf8))
        return PluginEvent(id: id, topic: "audit.event", key: Array("s-\(id)".utf8), payload: envelope.jsonBytes, partition: partition, attempt: attempt)
    }

    /// A registry with the built audit `.so` loaded against `databaseURL`.
    static func registry(databaseURL: String, services: RecordingHostServices = RecordingHostServices()) throws -> (PluginRegistry, LoadedPlugin) {
        let registry = PluginRegistry(services: services, logger: .test)
        let refusals = registry.apply(PakaConfiguration(pluginDir: "/", plugins: [
            PluginEntry(name: "audit", library: TestPaths.builtPlugin("AuditLogger"), batchSize: 1000,
                        config: .object(["databaseURL": .string(databaseURL)])),
        ]))
        try #require(refusals.isEmpty, "audit refused: \(refusals.map(\.message))")
        return (registry, try #require(registry.active(named: "audit")))
    }
}

import Foundation
import Synchronization

/// One loaded version of a plugin: its image, its instances and its counters.
public final class LoadedPlugin: Sendable {
    public let image: PluginImage
    public let entry: PluginEntry
    public let loadedAt: Date
    public let counters = PluginCounters()
    private let pool: PluginInstancePool
    private let retired = Atomic<Bool>(false)

    public var name: String { image.descriptor.name }
    public var descriptor: PluginDescriptor { image.descriptor }
    /// The topics consumed: plugins.json's override, else the plugin's declaration.
    public var topics: [String] { entry.topics ?? image.descriptor.topics }
    public var groupId: String { entry.groupId ?? image.descriptor.defaultGroup }
    public var isRetired: Bool { retired.load(ordering: .acquiring) }

    /// Creates `entry.concurrency` instances; if any `create` fails, the ones made are destroyed.
    init(image: PluginImage, entry: PluginEntry, services: any PluginHostServices) throws(PluginLoadError) {
        self.image = image
        self.entry = entry
        self.loadedAt = Date()
        var instances: [PluginInstance] = []
        let config = entry.config.jsonBytes
        for _ in 0..<max(entry.concurrency, 1) {
            do {
                instances.append(try PluginInstance(image: image, host: HostTable(pluginName: image.descriptor.name, services: services), configJSON: config))
            } catch {
                instances.forEach { $0.destroy() }
                throw error
            }
        }
        self.pool = PluginInstancePool(instances: instances)
    }

    /// Hands `events` to the plugin; nil when this version was retired meanwhile (the caller
    /// gives the batch to the current version instead).
    public func handle(_ events: [PluginEvent]) -> [EventOutcome]? {
        guard let outcomes = pool.withInstance({ $0.handle(events) }) else { return nil }
        counters.record(outcomes)
        return outcomes
    }

    public func serveHTTP(_ request: PluginHTTPRequest) -> PluginHTTPResponse? {
        pool.withInstance { $0.serveHTTP(request) } ?? nil
    }

    /// nil when the plugin has no health hook.
    public func health() -> (healthy: Bool, message: String)? {
        pool.withInstance { $0.health() } ?? nil
    }

    public func flush() -> EventOutcome {
        pool.withInstance { $0.flush() } ?? .ok
    }

    /// Waits for in-flight calls, flushes each instance (retrying a RETRY for up to `flushWait`),
    /// then destroys the instances. The image stays mapped. Returns each instance's flush, or
    /// nothing when this version was retired before.
    @discardableResult
    func retire(flushWait: Duration = .seconds(10)) -> [PluginInstancePool.FlushResult] {
        guard !retired.exchange(true, ordering: .acquiringAndReleasing) else { return [] }
        return pool.retire(flushWait: flushWait)
    }
}

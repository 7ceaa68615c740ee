/// One instance of a plugin file, loaded and created through the same loader and host table the
/// registry uses, but outside any registry: for `paka plugin test`, which runs a plugin against a
/// file of events with no Kafka, no database and no `plugins.json`.
public final class StandalonePlugin: @unchecked Sendable {
    // @unchecked: each instance is called by one thread at a time (the caller's promise, as in
    // the host: `handle(_:instance:)` from one thread per instance index).
    public let image: PluginImage
    private let instances: [PluginInstance]

    /// Loads `path` and calls `create` `instances` times with `configJSON`; throws the loader's or
    /// the plugin's refusal (the instances made before are destroyed).
    public init(path: String, configJSON: [UInt8], services: any PluginHostServices, options: PluginImage.Options = .init(),
                instances count: Int = 1) throws(PluginLoadError) {
        image = try PluginImage.load(path: path, options: options)
        var made: [PluginInstance] = []
        for _ in 0..<max(count, 1) {
            do {
                made.append(try PluginInstance(image: image, host: HostTable(pluginName: image.descriptor.name, services: services), configJSON: configJSON))
            } catch {
                made.forEach { $0.destroy() }
                throw error
            }
        }
        instances = made
    }

    public var instanceCount: Int { instances.count }

    /// One `handle` call with `events` on instance `index` (0 by default), results pre-filled as
    /// the host does.
    public func handle(_ events: [PluginEvent], instance index: Int = 0) -> [EventOutcome] {
        instances[min(max(index, 0), instances.count - 1)].handle(events)
    }

    /// Calls `flush` (if the plugin has it) and `destroy` on every instance: the end of their
    /// life. The first flush that did not answer OK, else OK.
    public func finish() -> EventOutcome {
        var result = EventOutcome.ok
        for instance in instances {
            let flushed = instance.flush()
            instance.destroy()
            if case .ok = result, !flushed.isOK { result = flushed }
        }
        return result
    }
}

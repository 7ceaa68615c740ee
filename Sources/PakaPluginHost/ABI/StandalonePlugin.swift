/// One instance of a plugin file, loaded and created through the same loader and host table the
/// registry uses, but outside any registry: for `paka plugin test`, which runs a plugin against a
/// file of events with no Kafka, no database and no `plugins.json`.
public final class StandalonePlugin {
    public let image: PluginImage
    private let instance: PluginInstance

    /// Loads `path` and calls `create` with `configJSON`; throws the loader's or the plugin's refusal.
    public init(path: String, configJSON: [UInt8], services: any PluginHostServices, options: PluginImage.Options = .init()) throws(PluginLoadError) {
        image = try PluginImage.load(path: path, options: options)
        instance = try PluginInstance(image: image, host: HostTable(pluginName: image.descriptor.name, services: services), configJSON: configJSON)
    }

    /// One `handle` call with `events`, results pre-filled as the host does.
    public func handle(_ events: [PluginEvent]) -> [EventOutcome] { instance.handle(events) }

    /// Calls `flush` (if the plugin has it) and `destroy`: the end of the instance's life.
    public func finish() -> EventOutcome {
        let flushed = instance.flush()
        instance.destroy()
        return flushed
    }
}

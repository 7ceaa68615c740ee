import Foundation

/// The parsed, validated plugins.json: the operator's switchboard.
public struct PakaConfiguration: Sendable, Equatable {
    public var pluginDir: String
    /// Extra librdkafka properties (security.protocol, sasl.*, ssl.*): values may be secrets.
    public var kafkaProperties: [String: String]
    public var plugins: [PluginEntry]

    public init(pluginDir: String = "plugins", kafkaProperties: [String: String] = [:], plugins: [PluginEntry] = []) {
        self.pluginDir = pluginDir
        self.kafkaProperties = kafkaProperties
        self.plugins = plugins
    }

    public var enabledPlugins: [PluginEntry] { plugins.filter(\.enabled) }

    /// Loads `path`, expanding `${ENV}` from `environment` and applying `PAKA_PLUGIN_DIR`.
    /// A relative `pluginDir` is relative to the file's folder.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigError) -> PakaConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(file: path, issues: [ConfigIssue(path: "", message: "cannot read the file; create it or set PAKA_PLUGINS_FILE")])
        }
        var config = try ConfigParser(file: path, environment: environment).parse(Array(data))
        if let override = environment["PAKA_PLUGIN_DIR"], !override.isEmpty { config.pluginDir = override }
        if !config.pluginDir.hasPrefix("/") {
            let folder = (path as NSString).deletingLastPathComponent
            config.pluginDir = ((folder.isEmpty ? FileManager.default.currentDirectoryPath : folder) as NSString)
                .appendingPathComponent(config.pluginDir)
        }
        config.pluginDir = (config.pluginDir as NSString).standardizingPath
        return config
    }
}

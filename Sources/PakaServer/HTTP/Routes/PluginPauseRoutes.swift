import Foundation
import Hummingbird
import PakaPipeline
import PakaPluginHost

/// `POST /plugins/{name}/pause|resume` (admin): `"paused": true|false` written into plugins.json
/// by the switchboard's atomic, format-keeping edit, applied by a reload (which never swaps a
/// plugin for a pause), then confirmed by the consumer loop.
struct PluginPauseRoutes {
    let api: HTTPAPI

    struct Answer: Encodable {
        var ok = true
        var plugin: String
        var paused: Bool
        /// The consumer's state after the change (`paused`, `running`, `pausing` if it is still
        /// finishing its batch), or `none` when the plugin has no consumer (Kafka off, disabled).
        var consumer: String
        var message: String
    }

    func addAdmin(to routes: some RouterMethods<PakaRequestContext>) {
        for (action, paused) in [("pause", true), ("resume", false)] {
            routes.post("/plugins/:name/\(action)") { _, context in
                let name = try context.parameters.require("name")
                let app = api.app
                guard app.registry.configuration.plugins.contains(where: { $0.name == name }) else {
                    throw APIError.notFound("no plugin named '\(name)' in \(app.environment.pluginsFile)")
                }
                do {
                    _ = try await offload { () throws -> [PluginLoadError] in
                        switch try api.switchboard.set("paused", to: paused, plugin: name, environment: app.environment.raw) {
                        case .unknownPlugin: throw APIError.notFound("no plugin named '\(name)' in \(app.environment.pluginsFile)")
                        case .changed: return try app.reloadPlugins()
                        }
                    }
                } catch let error as ConfigError {
                    throw APIError.badRequest("\(error.file) would be invalid; nothing was changed: \(error.issues.map(\.description).joined(separator: "; "))")
                }
                let state = await app.kafka?.supervisor.awaitPause(of: name, paused: paused) ?? "none"
                let settled = state == (paused ? "paused" : "running") || state == "none"
                return JSONResponse.make(Answer(
                    plugin: name, paused: paused, consumer: state,
                    message: paused
                        ? (settled ? "plugin '\(name)' paused: its consumer finished its batch, committed and holds its partitions" : "plugin '\(name)' pause recorded; the consumer is still finishing its batch")
                        : "plugin '\(name)' resumed"))
            }
        }
    }
}

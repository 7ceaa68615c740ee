import Foundation
import Hummingbird
import PakaPipeline
import PakaPluginHost

/// `GET /plugins`, `POST /plugins/reload`, `POST /plugins/{name}/enable|disable|rollback`, and
/// the plugin-served routes under `/plugins/{name}/…`.
struct PluginAdminRoutes {
    let api: HTTPAPI

    struct Refusal: Encodable {
        var plugin: String
        var file: String
        var reason: String
        var message: String
    }

    struct Applied: Encodable {
        var ok = true
        var message: String
        var plugins: [PluginStatus]
        var refused: [Refusal]
    }

    struct Invalid: Encodable {
        var ok = false
        var error: String
        var issues: [String]
    }

    struct NoRollback: Encodable {
        var ok = false
        var error: String
    }

    /// Needs any valid token. `PluginStatus` carries no plugin config, which may hold secrets.
    /// A plugins.json that failed to reload is reported in the `Paka-Reload-Error` header.
    func addList(to routes: some RouterMethods<PakaRequestContext>) {
        routes.get("/plugins") { _, _ in
            var response = JSONResponse.make(api.app.pluginStatuses())
            if let failure = api.app.registry.lastReloadFailure {
                response.headers[HTTPFields.Element.Name("Paka-Reload-Error")!] = failure.summary.replacingOccurrences(of: "\n", with: " ")
            }
            return response
        }
    }

    /// Needs an admin token.
    func addAdmin(to routes: some RouterMethods<PakaRequestContext>) {
        routes.post("/plugins/reload") { _, _ in
            try await apply("plugins.json reloaded") { try api.app.reloadPlugins() }
        }
        for (action, enabled) in [("enable", true), ("disable", false)] {
            routes.post("/plugins/:name/\(action)") { _, context in
                let name = try context.parameters.require("name")
                let app = api.app
                return try await apply("plugin '\(name)' \(action)d in plugins.json") {
                    switch try api.switchboard.setEnabled(enabled, plugin: name, environment: app.environment.raw) {
                    case .unknownPlugin: throw APIError.notFound("no plugin named '\(name)' in \(app.environment.pluginsFile)")
                    case .changed: return try app.reloadPlugins()
                    }
                }
            }
        }
        routes.post("/plugins/:name/rollback") { _, context in
            let name = try context.parameters.require("name")
            let app = api.app
            guard app.registry.configuration.plugins.contains(where: { $0.name == name }) else {
                throw APIError.notFound("no plugin named '\(name)' in \(app.environment.pluginsFile)")
            }
            do {
                let restored = try await offload { () throws -> LoadedPlugin in try app.rollbackPlugin(name) }
                return JSONResponse.make(Applied(message: "plugin '\(name)' rolled back to version \(restored.descriptor.version) (\(restored.image.sha256.prefix(12)))",
                                                 plugins: app.pluginStatuses(), refused: []))
            } catch let error as RollbackError {
                if case .refused(let refusal) = error {
                    return JSONResponse.make(Applied(ok: false, message: error.description, plugins: app.pluginStatuses(),
                                                     refused: [Refusal(plugin: name, file: refusal.path, reason: refusal.reason.rawValue, message: refusal.message)]),
                                             status: .conflict)
                }
                return JSONResponse.make(NoRollback(error: error.description), status: .conflict)
            }
        }
    }

    /// `POST /plugins/{name}/restart`: the entry loaded again (a crashed plugin comes back).
    func addRestart(to routes: some RouterMethods<PakaRequestContext>) {
        routes.post("/plugins/:name/restart") { _, context in
            let name = try context.parameters.require("name")
            let app = api.app
            guard let entry = app.registry.configuration.plugins.first(where: { $0.name == name }) else {
                throw APIError.notFound("no plugin named '\(name)' in \(app.environment.pluginsFile)")
            }
            guard entry.enabled else {
                return JSONResponse.make(Applied(ok: false, message: "plugin '\(name)' is disabled; enable it instead (POST /plugins/\(name)/enable)",
                                                 plugins: app.pluginStatuses(), refused: []), status: .conflict)
            }
            do {
                let restarted = try await offload { () throws -> LoadedPlugin? in try app.restartPlugin(name) }
                return JSONResponse.make(Applied(message: "plugin '\(name)' restarted (version \(restarted?.descriptor.version ?? "?"))",
                                                 plugins: app.pluginStatuses(), refused: []))
            } catch let refusal as PluginLoadError {
                return JSONResponse.make(Applied(ok: false, message: "plugin '\(name)' did not restart: \(refusal.message)", plugins: app.pluginStatuses(),
                                                 refused: [Refusal(plugin: name, file: refusal.path, reason: refusal.reason.rawValue, message: refusal.message)]),
                                         status: .conflict)
            }
        }
    }

    /// Runs a configuration change off the cooperative pool and answers with the new statuses,
    /// or 400 with every issue when the file is invalid (nothing applied then).
    private func apply(_ message: String, _ change: @escaping @Sendable () throws -> [PluginLoadError]) async throws -> Response {
        do {
            let refusals = try await offload(change)
            let byPath = Dictionary(api.app.registry.configuration.plugins.map { ($0.libraryPath(pluginDir: api.app.registry.configuration.pluginDir), $0.name) },
                                    uniquingKeysWith: { first, _ in first })
            return JSONResponse.make(Applied(
                message: refusals.isEmpty ? message : "\(message); \(refusals.count) plugin(s) refused",
                plugins: api.app.pluginStatuses(),
                refused: refusals.map { Refusal(plugin: byPath[$0.path] ?? "", file: $0.path, reason: $0.reason.rawValue, message: $0.message) }))
        } catch let error as ConfigError {
            return JSONResponse.make(Invalid(error: "\(error.file) is invalid; nothing was applied", issues: error.issues.map(\.description)),
                                     status: .badRequest)
        }
    }

    /// Operator names below `/plugins/{name}/`, reserved for the host by contract (users' scripts
    /// rely on them, and a plugin must not be able to shadow them): never forwarded to a plugin's
    /// `http` hook, so a wrong method on them is a 405 rather than the plugin's answer.
    static let reservedSegments: Set<String> = ["enable", "disable", "rollback", "restart", "pause", "resume", "dead-letters", "offsets"]

    /// Requests under `/plugins/{name}/…` (any method) go to that plugin's `http` hook, with the
    /// path relative to `/plugins/{name}`. Needs any valid token.
    func addPluginServed(to routes: some RouterMethods<PakaRequestContext>) {
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            routes.on("/plugins/:name/**", method: method) { request, context in
                // Reserved operator names never get here (ReservedPathMiddleware answers 405).
                let name = try context.parameters.require("name")
                guard var plugin = api.app.registry.active(named: name) else {
                    throw APIError.notFound("plugin '\(name)' is not active")
                }
                guard plugin.descriptor.capabilities.contains(.http) else {
                    throw APIError.notFound("plugin '\(name)' does not serve HTTP (no http hook)")
                }
                var request = request
                let body = try await request.collectBody(upTo: context.maxUploadSize)
                let prefix = "/plugins/\(name)"
                let path = request.uri.path.hasPrefix(prefix) ? String(request.uri.path.dropFirst(prefix.count)) : request.uri.path
                let forwarded = PluginHTTPRequest(method: request.method.rawValue, path: path.isEmpty ? "/" : path,
                                                  query: request.uri.query ?? "", contentType: request.headers[.contentType] ?? "",
                                                  body: Array(body.readableBytesView))
                // A swap between lookup and call retires `plugin`: ask the version now active.
                var answer: PluginHTTPResponse?
                while true {
                    let current = plugin
                    if let served = try await offload({ current.serveHTTP(forwarded) }) { answer = served; break }
                    guard current.isRetired, let next = api.app.registry.active(named: name), next !== current else { break }
                    plugin = next
                }
                guard let answer else {
                    throw APIError.notFound("plugin '\(name)' is no longer active")
                }
                let status = HTTPResponse.Status(code: (100...599).contains(answer.status) ? answer.status : 502)
                return Response(status: status, headers: [.contentType: answer.contentType.isEmpty ? "application/octet-stream" : answer.contentType],
                                body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
            }
        }
    }
}

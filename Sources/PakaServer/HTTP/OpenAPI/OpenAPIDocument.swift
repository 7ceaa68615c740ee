import PakaPipeline
import PakaPluginHost

/// The OpenAPI 3.1 document of every route, served at `GET /openapi.json`. Tests validate it
/// and compare its paths and methods with the routes the router really registered.
enum OpenAPIDocument {
    typealias C = OpenAPIComponents

    static var json: JSONValue {
        [
            "openapi": "3.1.0",
            "info": [
                "title": "Paka HTTP API", "version": "1.0.0",
                "description": "Event-driven plugin host. Protected routes need `Authorization: Bearer <token>` (HS256, from `paka token`) with the scope the operation lists (`publish`, `read` or `operate`; see the `bearer` security scheme). Every error is `{\"ok\": false, \"error\": \"...\"}`.",
            ],
            "servers": [["url": "http://localhost:3000"]],
            "components": [
                "securitySchemes": ["bearer": [
                    "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                    "description": "HS256 JWT from `paka token`. Its `scope` claim (space-separated) grants `publish` (publish and upload routes), `read` (plugin details, offsets, dead letters with their payloads, replay reports, plugin-served routes), `operate` (every state-changing operator route); `admin: true` grants all three; a token with neither claim has `publish read`. Each operation lists the scope it needs; without it the answer is 403 naming the scope.",
                ]],
                "schemas": C.schemas,
                "responses": C.errorResponses,
            ],
            "paths": .object(paths.merging(operatorPaths) { documented, _ in documented }),
        ]
    }

    /// A route that needs a Bearer token with `scope` (OpenAPI 3.1 lets a non-OAuth scheme list
    /// the roles it requires; `scripts/fuzz-api` and the scope tests read them from here).
    static func scoped(_ scope: TokenScope) -> JSONValue { [["bearer": [.string(scope.rawValue)]]] }
    static let publicRoute: JSONValue = []

    static func operation(_ id: String, _ summary: String, security: JSONValue, body: JSONValue? = nil,
                                  parameters: [JSONValue] = [], responses: [String: JSONValue], errors: [Int]) -> JSONValue {
        // Every protected operation can answer 401 (token) and 403 (scope): listed here once.
        let errors = security == publicRoute ? errors : Array(Set(errors + [401, 403])).sorted()
        var op: [String: JSONValue] = [
            "operationId": .string(id), "summary": .string(summary), "security": security,
            "responses": .object(responses.merging(C.errors(errors)) { first, _ in first }),
        ]
        if let body { op["requestBody"] = body }
        if !parameters.isEmpty { op["parameters"] = .array(parameters) }
        return .object(op)
    }

    static func jsonBody(_ schema: String) -> JSONValue { ["required": true, "content": C.json(C.ref(schema))] }

    private static func publish(_ id: String, _ summary: String, _ schema: String) -> JSONValue {
        ["post": operation(id, summary, security: scoped(.publish), body: jsonBody(schema),
                           responses: ["200": C.response("Published to Kafka (the seed's body plus eventId and mode), or processed synchronously when Kafka is not connected (mode `synchronous` and the plugins' outcomes).", C.ref("PublishReceipt"))],
                           errors: [400, 401, 413, 415])]
    }

    static let nameParameter: JSONValue = ["name": "name", "in": "path", "required": true, "schema": ["type": "string"],
                                                    "description": "The plugin's name in plugins.json."]
    private static let pathParameter: JSONValue = ["name": "path", "in": "path", "required": true, "schema": ["type": "string"],
                                                    "description": "The rest of the path (may contain `/`), passed to the plugin relative to `/plugins/{name}`."]

    private static func toggle(_ action: String) -> JSONValue {
        ["post": operation("\(action)Plugin", "Set `enabled` for this entry in plugins.json (the file itself, atomically, placeholders kept) and reload.",
                           security: scoped(.operate), parameters: [nameParameter],
                           responses: ["200": C.response("Applied; refusals are listed.", C.ref("PluginsApplied")),
                                       "400": C.response("The edited file would be invalid; nothing applied.", C.ref("ConfigInvalid"))],
                           errors: [401, 403, 404])]
    }

    private static func pluginServed(_ method: String) -> JSONValue {
        operation("pluginHTTP\(method.capitalized)", "Served by the plugin's `http` hook (ABI capability).", security: scoped(.read),
                  parameters: [nameParameter, pathParameter],
                  responses: ["200": ["description": "Whatever the plugin answers (status, content type and body are the plugin's)."],
                              "default": ["description": "The plugin's own status, content type and body."]],
                  errors: [401, 404, 405, 413])
    }

    private static func reloadErrorHeader(_ response: JSONValue) -> JSONValue {
        guard case .object(var fields) = response else { return response }
        fields["headers"] = ["Paka-Reload-Error": [
            "description": "Present while the last reload of plugins.json failed (nothing was applied then): the file and its issues.",
            "schema": ["type": "string"]]]
        return .object(fields)
    }

    static var paths: [String: JSONValue] {
        [
            "/health": ["get": operation("health", "Liveness and readiness, with Kafka and per-plugin detail.", security: publicRoute,
                                         responses: ["200": C.response("Healthy (status `ok`, or `degraded` without Kafka).", C.ref("Health")),
                                                     "503": C.response("A plugin is unhealthy.", C.ref("Health"))], errors: [])],
            "/kafka/status": ["get": operation("kafkaStatus", "Kafka connection, the eight topics and the active consumer groups.", security: publicRoute,
                                               responses: ["200": C.response("The seed's shape, connected or not.", C.ref("KafkaStatus"))], errors: [])],
            "/kafka/test/notification": publish("testNotification", "Publish `notification.send`.", "NotificationRequest"),
            "/kafka/test/audit": publish("testAudit", "Publish `audit.event`.", "AuditRequest"),
            "/kafka/test/report": publish("testReport", "Publish `report.generate`.", "ReportRequest"),
            "/upload": ["post": operation(
                "upload", "Store a file content-addressed under PAKA_DATA_DIR/uploads and publish `document.uploaded`.", security: scoped(.publish),
                body: ["required": true, "content": ["multipart/form-data": ["schema": [
                    "type": "object", "required": ["file"], "properties": ["file": ["type": "string", "format": "binary"]]]]]],
                responses: ["202": C.response("Accepted.", C.ref("UploadAccepted"))], errors: [400, 401, 413, 415])],
            "/plugins": ["get": operation("listPlugins", "Every configured plugin: version, ABI, file, sha256, state, topics, group, counters (never its config).",
                                          security: scoped(.read), responses: ["200": reloadErrorHeader(C.response("Statuses.", ["type": "array", "items": C.ref("PluginStatus")]))],
                                          errors: [401])],
            "/plugins/reload": ["post": operation("reloadPlugins", "Re-read plugins.json and apply it (scope `operate`).", security: scoped(.operate),
                                                  responses: ["200": C.response("Applied; refusals are listed.", C.ref("PluginsApplied")),
                                                              "400": C.response("Invalid file, every issue listed; nothing applied.", C.ref("ConfigInvalid"))],
                                                  errors: [401, 403])],
            "/plugins/{name}/enable": toggle("enable"),
            "/plugins/{name}/disable": toggle("disable"),
            "/plugins/{name}/rollback": ["post": operation(
                "rollbackPlugin", "Return to the version before the active one (still resident; instances re-created by the hot-swap protocol). Holds until the plugin's file or entry changes (scope `operate`).",
                security: scoped(.operate), parameters: [nameParameter],
                responses: ["200": C.response("Rolled back; the statuses show the new active version.", C.ref("PluginsApplied")),
                            "409": C.response("Nothing to roll back to (no earlier version this run, or the plugin is not active): an `Error`; or the earlier version failed its checks: the statuses with the refusal.",
                                              ["oneOf": [C.ref("Error"), C.ref("PluginsApplied")]])],
                errors: [401, 403, 404])],
            "/plugins/{name}/restart": ["post": operation(
                "restartPlugin", "Load the configured entry again by the hot-swap protocol (fresh instances or worker processes); brings a plugin in state `crashed` back (scope `operate`).",
                security: scoped(.operate), parameters: [nameParameter],
                responses: ["200": C.response("Restarted; the statuses show the new active version.", C.ref("PluginsApplied")),
                            "409": C.response("The plugin is disabled, or its file failed the loader's checks or `create` (the running version stayed).", C.ref("PluginsApplied"))],
                errors: [401, 403, 404])],
            "/plugins/{name}/{path}": .object(Dictionary(uniqueKeysWithValues: ["get", "post", "put", "patch", "delete"].map { ($0, pluginServed($0)) })),
            "/metrics": ["get": operation("metrics", "Prometheus text: HTTP requests by route and status, events published by topic and mode, per-plugin counters.",
                                          security: publicRoute,
                                          responses: ["200": ["description": "Prometheus exposition format.", "content": ["text/plain": ["schema": ["type": "string"]]]]],
                                          errors: [])],
            "/openapi.json": ["get": operation("openapi", "This document.", security: publicRoute,
                                               responses: ["200": C.response("OpenAPI 3.1.", ["type": "object"])], errors: [])],
        ]
    }
}

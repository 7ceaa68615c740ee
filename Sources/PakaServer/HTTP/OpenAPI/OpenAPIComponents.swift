import PakaPipeline
import PakaPluginHost

/// The reusable parts of the OpenAPI document: schemas, error responses, security schemes.
enum OpenAPIComponents {
    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }

    static func json(_ schema: JSONValue) -> JSONValue { ["application/json": ["schema": schema]] }

    static func response(_ description: String, _ schema: JSONValue) -> JSONValue {
        ["description": .string(description), "content": json(schema)]
    }

    /// `{"401": {"$ref": "#/components/responses/Unauthorized"}, ...}` for the given statuses.
    static func errors(_ codes: [Int]) -> [String: JSONValue] {
        let names = [400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed",
                     413: "ContentTooLarge", 415: "UnsupportedMediaType", 503: "ServiceUnavailable"]
        return Dictionary(uniqueKeysWithValues: codes.map { (String($0), ["$ref": .string("#/components/responses/\(names[$0]!)")]) })
    }

    static let errorResponses: JSONValue = [
        "BadRequest": response("Malformed JSON, or a missing or wrong-typed field (the message names it).", ref("Error")),
        "Unauthorized": [
            "description": "Missing, malformed, forged or expired Bearer token.",
            "headers": ["WWW-Authenticate": ["description": #"`Bearer`, or `Bearer error="invalid_token"` when a token was refused."#, "schema": ["type": "string"]]],
            "content": json(ref("Error")),
        ],
        "Forbidden": [
            "description": "The token lacks the operation's scope; the message names it.",
            "headers": ["WWW-Authenticate": ["description": #"`Bearer error="insufficient_scope", scope="<the scope>"`."#, "schema": ["type": "string"]]],
            "content": json(ref("Error")),
        ],
        "NotFound": response("Unknown route, plugin, or plugin without an http hook.", ref("Error")),
        "MethodNotAllowed": [
            "description": "Known path, wrong method.",
            "headers": ["Allow": ["description": "The methods the path accepts.", "schema": ["type": "string"]]],
            "content": json(ref("Error")),
        ],
        "ContentTooLarge": response("Body larger than the limit (uploads: PAKA_UPLOAD_LIMIT_BYTES, default 20 MB; JSON: 1 MiB).", ref("Error")),
        "UnsupportedMediaType": response("Wrong Content-Type (JSON routes need application/json; /upload needs multipart/form-data).", ref("Error")),
        "ServiceUnavailable": response("A dependency is down and no fallback applies.", ref("Error")),
    ]

    static let nonEmptyString: JSONValue = ["type": "string", "minLength": 1]
    static let stringArray: JSONValue = ["type": "array", "items": ["type": "string"]]
    static let outcomes: JSONValue = [
        "type": "object", "additionalProperties": ["type": "string"],
        "description": "Synchronous mode only: plugin name → `ok`, `retry: <reason>` or `fail: <reason>`. A FAIL is dead-lettered to the local spool; the request still answers ok: true because the event was accepted and is not lost.",
    ]

    static let schemas: JSONValue = [
        "Error": ["type": "object", "required": ["ok", "error"], "properties": ["ok": ["const": false], "error": ["type": "string"]]],
        "ConfigInvalid": ["type": "object", "required": ["ok", "error", "issues"],
                          "properties": ["ok": ["const": false], "error": ["type": "string"], "issues": stringArray]],
        "KafkaStatus": ["type": "object", "required": ["ok", "kafka", "topics", "consumers", "message"], "properties": [
            "ok": ["type": "boolean"],
            "kafka": ["type": "object", "required": ["connected", "brokers", "clientId"], "properties": [
                "connected": ["type": "boolean"], "brokers": ["type": "string"], "clientId": ["type": "string"]]],
            "topics": stringArray, "consumers": stringArray,
            "message": ["type": "string", "enum": ["Kafka is connected and processing events", "Kafka not connected - async processing disabled"]],
        ]],
        "NotificationRequest": ["type": "object", "required": ["title", "body"],
                                "properties": ["title": nonEmptyString, "body": nonEmptyString]],
        "AuditRequest": ["type": "object", "required": ["action", "resource"], "properties": [
            "action": nonEmptyString, "resource": nonEmptyString,
            "resourceId": ["oneOf": [nonEmptyString, ["type": "integer", "minimum": -999_999_999_999_999, "maximum": 999_999_999_999_999]]],
            "details": ["type": "object"]]],
        "ReportRequest": ["type": "object", "required": ["reportType"],
                          "properties": ["reportType": ["type": "string", "enum": ["daily", "weekly", "monthly"]]]],
        "PublishReceipt": ["type": "object", "required": ["ok", "message", "topic", "eventId", "mode"], "properties": [
            "ok": ["type": "boolean"], "message": ["type": "string"], "topic": ["type": "string"],
            "note": ["type": "string"], "eventId": ["type": "string", "format": "uuid"],
            "mode": ["type": "string", "enum": ["kafka", "synchronous"]], "outcomes": outcomes]],
        "UploadAccepted": ["type": "object", "required": ["ok", "documentId", "status", "topic", "sha256", "size", "eventId", "mode"], "properties": [
            "ok": ["type": "boolean"], "documentId": ["type": "string", "format": "uuid"],
            "status": ["type": "string", "enum": ["queued", "processed", "dead-lettered"]],
            "topic": ["const": "document.uploaded"], "sha256": ["type": "string"], "size": ["type": "integer"],
            "eventId": ["type": "string"], "mode": ["type": "string", "enum": ["kafka", "synchronous"]], "outcomes": outcomes]],
        "PluginStatus": ["type": "object", "required": ["name", "state", "file", "topics", "capabilities", "history"], "properties": [
            "name": ["type": "string"], "state": ["type": "string", "enum": ["active", "disabled", "failed", "crashed"]],
            "version": ["type": "string"], "abi": ["type": "string"], "file": ["type": "string"], "sha256": ["type": "string"],
            "topics": stringArray, "group": ["type": "string"], "capabilities": stringArray,
            "counters": ["type": "object", "properties": [
                "handled": ["type": "integer"], "retried": ["type": "integer"], "failed": ["type": "integer"],
                "deadLettered": ["type": "integer"], "lastError": ["type": "string"]]],
            "lastError": ["type": "string"], "loadedAt": ["type": "string", "format": "date-time"],
            "history": ["type": "array", "items": ["type": "object", "properties": [
                "version": ["type": "string"], "sha256": ["type": "string"],
                "loadedAt": ["type": "string", "format": "date-time"], "state": ["type": "string"],
                "trigger": ["type": "string", "enum": ["startup", "file", "api", "rollback", "restart"],
                            "description": "What made this version active: the host's start, the plugin-directory watcher (file or plugins.json changed), an API request that applied plugins.json, a rollback, a restart."]]]],
            "paused": ["type": "boolean", "description": "`\"paused\": true` in plugins.json: the consumer holds its partitions without fetching."],
            "rejected": ["type": "object", "description": "The last version refused (the running one stayed).", "properties": [
                "sha256": ["type": "string"], "reason": ["type": "string"], "at": ["type": "string", "format": "date-time"]]],
            "isolation": ["type": "string", "enum": ["inprocess", "process"]],
            "lastCrash": ["type": "object", "description": "The last crash of the active version.", "properties": [
                "reason": ["type": "string"], "during": ["type": "string"], "at": ["type": "string", "format": "date-time"],
                "consecutive": ["type": "integer"]]],
            "workerRestarts": ["type": "integer"],
            "crashHistory": ["type": "array", "description": "Process isolation: the newest crashes and worker restarts of every version in this run, newest first (at most 50).",
                             "items": ["type": "object", "required": ["kind", "at", "reason"], "properties": [
                                 "kind": ["type": "string", "enum": ["crash", "restart"]], "at": ["type": "string", "format": "date-time"],
                                 "reason": ["type": "string"], "signal": ["type": "string"], "during": ["type": "string"],
                                 "eventId": ["type": "string"], "consecutive": ["type": "integer"], "version": ["type": "string"]]]],
            "lanes": ["type": "object", "description": "The consumer's lanes as last reported (about once a second while it runs); the `paka_consumer_*` gauges.",
                      "required": ["inFlight", "heldForRetry", "busyLanes", "lanes", "observedAt"], "properties": [
                          "inFlight": ["type": "integer"], "heldForRetry": ["type": "integer"], "busyLanes": ["type": "integer"],
                          "lanes": ["type": "integer"], "observedAt": ["type": "string", "format": "date-time"]]],
        ]],
        "PluginsApplied": ["type": "object", "required": ["ok", "message", "plugins", "refused"], "properties": [
            "ok": ["type": "boolean"], "message": ["type": "string"],
            "plugins": ["type": "array", "items": ref("PluginStatus")],
            "refused": ["type": "array", "items": ["type": "object", "properties": [
                "plugin": ["type": "string"], "file": ["type": "string"], "reason": ["type": "string"], "message": ["type": "string"]]]],
        ]],
        "Health": ["type": "object", "required": ["ok", "status", "kafka", "plugins"], "properties": [
            "ok": ["type": "boolean"], "status": ["type": "string", "enum": ["ok", "degraded", "unhealthy"]],
            "kafka": ["type": "object", "properties": ["connected": ["type": "boolean"], "mode": ["type": "string"]]],
            "plugins": ["type": "array", "items": ["type": "object", "properties": [
                "name": ["type": "string"], "state": ["type": "string"], "healthy": ["type": "boolean"], "message": ["type": "string"]]]],
        ]],
    ]
}

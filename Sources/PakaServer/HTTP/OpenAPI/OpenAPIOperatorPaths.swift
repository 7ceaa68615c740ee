import PakaPipeline
import PakaPluginHost

/// The operator routes of the OpenAPI document (pause/resume, offsets, dead letters and their
/// replay, the console), kept apart from the seed's routes.
extension OpenAPIDocument {
    private typealias Op = OpenAPIDocument

    private static let partitionOffsets: JSONValue = ["type": "array", "items": ["type": "object", "required": ["topic", "partition", "start", "end", "lag"], "properties": [
        "topic": ["type": "string"], "partition": ["type": "integer"],
        "committed": ["type": ["integer", "null"], "description": "The group's committed offset (next event it reads); null when it never committed."],
        "start": ["type": "integer", "description": "First offset the broker still keeps."],
        "end": ["type": "integer", "description": "High watermark: the offset the next event gets."],
        "lag": ["type": "integer"]]]]

    private static let deadLetter: JSONValue = ["type": "object", "required": ["id", "topic", "time", "attempts", "reason", "source", "state"], "properties": [
        "id": ["type": "string", "description": "`<topic>.dlq:<partition>:<offset>`, or `spool:<topic>:<line>` for the synchronous path's local spool."],
        "eventId": ["type": "string"], "topic": ["type": "string", "description": "The topic the event was consumed from."],
        "partition": ["type": "integer"], "offset": ["type": "integer"], "time": ["type": "string", "format": "date-time"],
        "attempts": ["type": "integer", "description": "Deliveries so far, replays included."], "reason": ["type": "string"],
        "pluginVersion": ["type": "string"], "source": ["type": "string", "enum": ["kafka", "spool"]],
        "replayOf": ["type": "string", "description": "For a replay that failed again: the letter it replayed (`paka.replay.of`)."],
        "replayBy": ["type": "string", "description": "The token subject that started that replay (`paka.replay.by`)."],
        "state": ["type": "string", "enum": ["pending", "replayed", "failed-again"]]]]

    private static let replayReport: JSONValue = ["type": "object", "required": ["ok", "replay"], "properties": [
        "ok": ["type": "boolean"],
        "replay": ["type": "object", "required": ["id", "plugin", "status", "selected", "delivered", "failedAgain", "skipped", "notDelivered", "items"], "properties": [
            "id": ["type": "string"], "plugin": ["type": "string"], "requestedBy": ["type": "string"],
            "requestedAt": ["type": "string", "format": "date-time"], "finishedAt": ["type": "string", "format": "date-time"],
            "status": ["type": "string", "enum": ["running", "done", "dry-run", "interrupted"]],
            "force": ["type": "boolean"], "ratePerSecond": ["type": "number"],
            "selected": ["type": "integer"], "delivered": ["type": "integer"], "failedAgain": ["type": "integer"],
            "skipped": ["type": "integer", "description": "Already handled by an earlier replay (deliver again with `force`)."],
            "notDelivered": ["type": "integer", "description": "Still RETRY after the plugin's attempts (an outage): left in the DLQ."],
            "truncated": ["type": "boolean"],
            "items": ["type": "array", "items": ["type": "object", "properties": [
                "letter": ["type": "string"], "eventId": ["type": "string"], "reason": ["type": "string"],
                "outcome": ["type": "string", "enum": .array(ReplayReport.Outcome.allCases.map { .string($0.rawValue) })]]]]]]]]

    private static func query(_ name: String, _ description: String, _ schema: JSONValue = ["type": "string"]) -> JSONValue {
        ["name": .string(name), "in": "query", "required": false, "schema": schema, "description": .string(description)]
    }

    private static func pauseOperation(_ action: String) -> JSONValue {
        ["post": Op.operation(
            "\(action)Plugin", action == "pause"
                ? "Pause the plugin's consumer (scope `operate`): it finishes its batch, commits and holds its partitions without fetching. Written as `\"paused\": true` into plugins.json (atomic, format kept), so it survives a restart; the plugin is not swapped."
                : "Resume a paused plugin's consumer (scope `operate`); `\"paused\": false` in plugins.json.",
            security: Op.scoped(.operate), parameters: [Op.nameParameter],
            responses: ["200": OpenAPIComponents.response("Recorded; `consumer` is the consumer's state after the change.", ["type": "object", "properties": [
                "ok": ["type": "boolean"], "plugin": ["type": "string"], "paused": ["type": "boolean"],
                "consumer": ["type": "string", "enum": ["running", "pausing", "paused", "resuming", "stopped", "none"]], "message": ["type": "string"]]])],
            errors: [400, 401, 403, 404])]
    }

    static var operatorPaths: [String: JSONValue] {
        [
            "/console": ["get": Op.operation(
                "console", "The operator's console: one HTML page (no framework, nothing loaded from elsewhere, a strict Content-Security-Policy) that asks for a token and shows the overview (Kafka, topics, host, totals), every plugin, its dead letters (open, select, dry run, replay), offsets (move while paused) and versions (rollback); it offers only what the token's scope allows.",
                security: Op.publicRoute,
                responses: ["200": ["description": "HTML.", "content": ["text/html": ["schema": ["type": "string"]]]]], errors: [])],
            "/console/console.js": ["get": Op.operation(
                "consoleScript", "The console's script (same origin, so the page's CSP allows no inline script).", security: Op.publicRoute,
                responses: ["200": ["description": "JavaScript.", "content": ["text/javascript": ["schema": ["type": "string"]]]]], errors: [])],
            "/console/console.css": ["get": Op.operation(
                "consoleStyle", "The console's style sheet.", security: Op.publicRoute,
                responses: ["200": ["description": "CSS.", "content": ["text/css": ["schema": ["type": "string"]]]]], errors: [])],
            "/host": ["get": Op.operation(
                "hostInfo", "The host itself: version, process id, start time and uptime, resident memory, Kafka connected or the synchronous fallback.",
                security: Op.scoped(.read),
                responses: ["200": OpenAPIComponents.response("The host.", ["type": "object", "required": ["ok", "version", "pid", "startedAt", "uptimeSeconds", "kafkaConnected", "brokers", "mode", "plugins"], "properties": [
                    "ok": ["type": "boolean"], "version": ["type": "string"], "pid": ["type": "integer"],
                    "startedAt": ["type": "string", "format": "date-time"], "uptimeSeconds": ["type": "number"],
                    "residentBytes": ["type": ["integer", "null"], "description": "Resident set size (VmRSS); absent without procfs."],
                    "kafkaConnected": ["type": "boolean"], "brokers": ["type": "string"],
                    "mode": ["type": "string", "enum": ["kafka", "synchronous"]], "plugins": ["type": "integer"]]])],
                errors: [])],
            "/plugins/{name}/pause": pauseOperation("pause"),
            "/plugins/{name}/resume": pauseOperation("resume"),
            "/plugins/{name}/offsets": [
                "get": Op.operation(
                    "pluginOffsets", "The plugin's consumer group per partition: committed offset, start, end and lag.", security: Op.scoped(.read),
                    parameters: [Op.nameParameter],
                    responses: ["200": OpenAPIComponents.response("Offsets.", ["type": "object", "properties": [
                        "ok": ["type": "boolean"], "plugin": ["type": "string"], "group": ["type": "string"], "consumer": ["type": "string"],
                        "partitions": partitionOffsets, "totalLag": ["type": "integer"]]]),
                        "409": OpenAPIComponents.response("The plugin has no running consumer.", OpenAPIComponents.ref("Error"))],
                    errors: [401, 404, 503]),
                "post": Op.operation(
                    "resetPluginOffsets", "Move the paused plugin's group (scope `operate`): to `earliest`, `latest`, a `timestamp`, or explicit `offsets`. Refused with 409 unless paused.",
                    security: Op.scoped(.operate),
                    body: ["required": true, "content": OpenAPIComponents.json(["type": "object", "description": "Exactly one of the members.", "properties": [
                        "to": ["type": "string", "enum": ["earliest", "latest"]],
                        "timestamp": ["oneOf": [["type": "string", "format": "date-time"], ["type": "integer", "description": "Milliseconds since the epoch."]]],
                        "offsets": ["type": "array", "items": ["type": "object", "required": ["topic", "partition", "offset"], "properties": [
                            "topic": ["type": "string"], "partition": ["type": "integer"], "offset": ["type": "integer"]]]]]])],
                    parameters: [Op.nameParameter],
                    responses: ["200": OpenAPIComponents.response("Moved; the committed offsets before and after.", ["type": "object", "properties": [
                        "ok": ["type": "boolean"], "plugin": ["type": "string"], "target": ["type": "string"],
                        "before": partitionOffsets, "after": partitionOffsets]]),
                        "409": OpenAPIComponents.response("The plugin is not paused (pause it first), or has no consumer.", OpenAPIComponents.ref("Error"))],
                    errors: [400, 401, 403, 404, 415, 503]),
            ],
            "/plugins/{name}/dead-letters": ["get": Op.operation(
                "pluginDeadLetters", "The plugin's dead letters, newest first: from `<topic>.dlq` of its topics (by the `paka-plugin` header) and from the synchronous path's local spool. Paginated and bounded.",
                security: Op.scoped(.read),
                parameters: [Op.nameParameter, query("limit", "1-500, default 50.", ["type": "integer", "minimum": 1, "maximum": 500]),
                             query("since", "ISO 8601 or epoch milliseconds."), query("until", "ISO 8601 or epoch milliseconds."),
                             query("errorContains", "Case-insensitive substring of the reason."),
                             query("cursor", "`nextCursor` of the previous page."),
                             query("state", "`pending` (default) or `all` (include letters a replay resolved).", ["type": "string", "enum": ["pending", "all"]]),
                             query("crashOnly", "`true`: only letters of events the plugin crashed or hung on (process isolation).", ["type": "string", "enum": ["true", "false"]]),
                             query("payload", "`true`: add `payloads` (each letter's Kafka key and CloudEvents envelope, as text).", ["type": "string", "enum": ["true", "false"]])],
                responses: ["200": OpenAPIComponents.response("One page.", ["type": "object", "properties": [
                    "ok": ["type": "boolean"], "plugin": ["type": "string"], "letters": ["type": "array", "items": deadLetter],
                    "nextCursor": ["type": "string"], "scanned": ["type": "integer"], "truncated": ["type": "boolean"],
                    "kafkaUnavailable": ["type": "string", "description": "Why the .dlq topics were not read (only the spool was)."],
                    "payloads": ["type": "object", "description": "With `payload=true`: letter id → its key and envelope.",
                                 "additionalProperties": ["type": "object", "required": ["key", "envelope", "headers"], "properties": [
                                     "key": ["type": "string"], "envelope": ["type": "string", "description": "The CloudEvents envelope as consumed (JSON text)."],
                                     "headers": ["type": "array", "description": "The letter's Kafka headers in order, `[name, value]` (names may repeat); for the spool, the line's fields.",
                                                 "items": ["type": "array", "items": ["type": "string"], "minItems": 2, "maxItems": 2]]]]]]])],
                errors: [400, 401, 404, 503])],
            "/plugins/{name}/dead-letters/replay": ["post": Op.operation(
                "replayDeadLetters", "Give the selected dead letters back to this plugin only (called directly, never re-published to the topic), once per letter unless `force`, with `paka.replay.of/at/by` provenance in the envelope (scope `operate`). Answers when done (200) or after 10 s with the running report (202).",
                security: Op.scoped(.operate),
                body: ["required": true, "content": OpenAPIComponents.json(["type": "object", "description": "`ids`, or at least one of `since`/`until`/`errorContains`.", "properties": [
                    "ids": ["type": "array", "items": ["type": "string"], "description": "Dead-letter ids or event ids."],
                    "since": ["type": "string"], "until": ["type": "string"], "errorContains": ["type": "string"],
                    "crashOnly": ["type": "boolean", "description": "Only letters of crashes and hangs (with the other filters)."],
                    "dryRun": ["type": "boolean"], "ratePerSecond": ["type": "number", "exclusiveMinimum": 0], "force": ["type": "boolean"]]])],
                parameters: [Op.nameParameter],
                responses: ["200": OpenAPIComponents.response("Finished (or dry run): the report.", replayReport),
                            "202": OpenAPIComponents.response("Still running: the report so far; poll replays/{id}.", replayReport)],
                errors: [400, 401, 403, 404, 415, 503])],
            "/plugins/{name}/dead-letters/replays/{id}": ["get": Op.operation(
                "deadLetterReplay", "A replay's report: selected, delivered, failed again, skipped, not delivered, per letter. Kept under PAKA_DATA_DIR/replays; after a restart a replay that was running reads `interrupted`.",
                security: Op.scoped(.read),
                parameters: [Op.nameParameter, ["name": "id", "in": "path", "required": true, "schema": ["type": "string"]]],
                responses: ["200": OpenAPIComponents.response("The report.", replayReport)], errors: [401, 404])],
        ]
    }
}

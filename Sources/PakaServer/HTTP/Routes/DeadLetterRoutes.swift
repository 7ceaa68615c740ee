import Foundation
import Hummingbird
import PakaPipeline
import PakaPluginHost

/// `GET /plugins/{name}/dead-letters` and `GET …/dead-letters/replays/{id}` (Bearer),
/// `POST /plugins/{name}/dead-letters/replay` (admin).
struct DeadLetterRoutes {
    let api: HTTPAPI
    /// How long `POST …/replay` waits for the replay to finish before answering 202 (running).
    static let answerWithin = Duration.seconds(10)

    struct Listing: Encodable {
        var ok = true
        var plugin: String
        var letters: [DeadLetterRecord]
        var nextCursor: String?
        var scanned: Int
        var truncated: Bool
        var kafkaUnavailable: String?
        /// With `payload=true`: per letter id, its Kafka key and CloudEvents envelope as text.
        var payloads: [String: LetterPayload]?
    }

    /// What the console shows when one letter is opened. Text, never markup: the page puts it
    /// in text nodes.
    struct LetterPayload: Encodable {
        var key: String
        var envelope: String
        /// The letter's Kafka headers in order (`[name, value]` pairs: names may repeat), or the
        /// spool line's fields.
        var headers: [[String]]
    }

    struct Replay: Encodable {
        var ok = true
        var replay: ReplayReport
    }

    func addBearer(to routes: some RouterMethods<PakaRequestContext>) {
        routes.get("/plugins/:name/dead-letters") { request, context in
            let name = try context.parameters.require("name")
            let topics = try topics(of: name)
            let parameters = request.uri.queryParameters
            var query = DeadLetterQuery()
            if let limit = parameters["limit"].map(String.init) {
                guard let value = Int(limit), (1...500).contains(value) else { throw APIError.badRequest("'limit' must be a whole number from 1 to 500") }
                query.limit = value
            }
            query.since = try parameters["since"].map { try Self.time(String($0), field: "since") }
            query.until = try parameters["until"].map { try Self.time(String($0), field: "until") }
            query.errorContains = parameters["errorContains"].map(String.init)
            query.cursor = parameters["cursor"].map(String.init)
            if let state = parameters["state"].map(String.init) {
                guard ["pending", "all"].contains(state) else { throw APIError.badRequest("'state' must be pending (default) or all") }
                query.includeResolved = state == "all"
            }
            query.crashesOnly = try Self.boolean(parameters["crashOnly"].map(String.init), field: "crashOnly")
            let withPayload = try Self.boolean(parameters["payload"].map(String.init), field: "payload")
            let store = api.app.deadLetters.store
            let filters = query
            let (entries, result) = try await Self.mapping { try await offload { try store.page(plugin: name, topics: topics, query: filters) } }
            let payloads = withPayload ? Dictionary(entries.map { ($0.record.id, LetterPayload(key: String(decoding: $0.key, as: UTF8.self),
                                                                                              envelope: String(decoding: $0.value, as: UTF8.self),
                                                                                              headers: $0.headers.map { [$0.name, $0.value] })) },
                                                    uniquingKeysWith: { first, _ in first }) : nil
            return JSONResponse.make(Listing(plugin: name, letters: result.letters, nextCursor: result.nextCursor, scanned: result.scanned, truncated: result.truncated,
                                             kafkaUnavailable: result.kafkaUnavailable, payloads: payloads))
        }
        routes.get("/plugins/:name/dead-letters/replays/:id") { _, context in
            let name = try context.parameters.require("name")
            let id = try context.parameters.require("id")
            guard let report = api.app.deadLetters.report(id), report.plugin == name else {
                throw APIError.notFound("no replay '\(id)' for plugin '\(name)'")
            }
            return JSONResponse.make(Replay(replay: report))
        }
    }

    func addAdmin(to routes: some RouterMethods<PakaRequestContext>) {
        routes.post("/plugins/:name/dead-letters/replay") { request, context in
            let name = try context.parameters.require("name")
            _ = try topics(of: name)
            let body = try await JSONRequestBody.read(request, context: context)
            var query = DeadLetterQuery()
            if let ids = body.fields["ids"] {
                guard let list = ids.arrayValue?.compactMap(\.stringValue), list.count == ids.arrayValue?.count, !list.isEmpty else {
                    throw APIError.badRequest("field 'ids' must be a non-empty array of dead-letter ids or event ids")
                }
                query.ids = Set(list)
            }
            query.since = try body.fields["since"].map { try Self.time($0, field: "since") }
            query.until = try body.fields["until"].map { try Self.time($0, field: "until") }
            if let text = body.fields["errorContains"] {
                guard let value = text.stringValue else { throw APIError.badRequest("field 'errorContains' must be a string") }
                query.errorContains = value
            }
            query.crashesOnly = try flag(body, "crashOnly")
            guard query.ids != nil || query.since != nil || query.until != nil || query.errorContains != nil else {
                throw APIError.badRequest("select what to replay: 'ids', or 'since'/'until'/'errorContains' (since \"1970-01-01T00:00:00Z\" selects everything)")
            }
            let dryRun = try flag(body, "dryRun"), force = try flag(body, "force")
            var rate: Double?
            if let value = body.fields["ratePerSecond"] {
                guard let number = value.numberValue, number > 0, number <= 100_000 else {
                    throw APIError.badRequest("field 'ratePerSecond' must be a number above 0 (events per second)")
                }
                rate = number
            }
            let by = context.claims?.sub.value ?? "unknown"
            let replayer = api.app.deadLetters
            let (selection, perSecond) = (query, rate)
            let started = try await Self.mapping {
                try await offload { try replayer.start(plugin: name, query: selection, dryRun: dryRun, force: force, ratePerSecond: perSecond, by: by) }
            }
            let deadline = ContinuousClock.now + Self.answerWithin
            var report = started
            while report.status == .running, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
                report = replayer.report(started.id) ?? report
            }
            return JSONResponse.make(Replay(replay: report), status: report.status == .running ? .accepted : .ok)
        }
    }

    /// A query flag: absent or `false` → false, `true` → true, anything else a 400 naming it.
    static func boolean(_ text: String?, field: String) throws -> Bool {
        switch text {
        case nil, "false"?: return false
        case "true"?: return true
        default: throw APIError.badRequest("'\(field)' must be true or false")
        }
    }

    private func flag(_ body: JSONRequestBody, _ name: String) throws -> Bool {
        guard let value = body.fields[name] else { return false }
        guard let flag = value.boolValue else { throw APIError.badRequest("field '\(name)' must be true or false") }
        return flag
    }

    private func topics(of name: String) throws -> [String] {
        guard let topics = api.app.registry.knownTopics(of: name) else {
            throw APIError.notFound("no plugin named '\(name)' in \(api.app.environment.pluginsFile)")
        }
        return topics
    }

    static func time(_ value: JSONValue, field: String) throws -> Date {
        switch value {
        case .string(let text): return try time(text, field: field)
        case .number(let ms) where ms >= 0: return Date(timeIntervalSince1970: ms / 1000)
        default: throw APIError.badRequest("field '\(field)' must be an ISO 8601 time or milliseconds since the epoch")
        }
    }

    static func time(_ text: String, field: String) throws -> Date {
        if let date = ISO8601DateFormatter.flexible(text) { return date }
        if let ms = Double(text), ms >= 0 { return Date(timeIntervalSince1970: ms / 1000) }
        throw APIError.badRequest("'\(field)' must be an ISO 8601 time (2026-01-31T23:00:00Z) or milliseconds since the epoch, got '\(text)'")
    }

    static func mapping<T>(_ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let error as DeadLetterError {
            switch error {
            case .unknownPlugin: throw APIError.notFound(error.description)
            case .invalid: throw APIError.badRequest(error.description)
            case .kafka: throw APIError(.serviceUnavailable, "Kafka did not answer; retry later", detail: error.description)
            case .storage: throw APIError(.serviceUnavailable, "the dead-letter storage did not answer; retry later", detail: error.description)
            }
        }
    }
}

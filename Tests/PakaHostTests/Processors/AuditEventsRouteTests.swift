import Foundation
import PakaPipeline
import PakaPluginHost
import Testing

/// `GET /plugins/audit/events`: filters, newest first, limits, and 400s that say what is wrong.
@Suite struct AuditEventsRouteTests {
    static func day(_ n: Int) -> Date { Date(timeIntervalSince1970: 1_704_067_200 + Double(n - 1) * 86_400) }  // 2024-01-0n

    private func get(_ audit: LoadedPlugin, _ query: String) throws -> (status: Int, json: Any) {
        let response = try #require(audit.serveHTTP(PluginHTTPRequest(method: "GET", path: "/events", query: query)))
        #expect(response.contentType == "application/json")
        return (response.status, try JSONSerialization.jsonObject(with: Data(response.body)))
    }

    @Test func filtersByResourceActionAndSinceNewestFirstWithALimit() throws {
        let database = try ScratchDatabase()
        let (registry, audit) = try AuditFixtures.registry(databaseURL: database.url)
        defer { registry.shutdown() }
        let seeds = [
            ("e1", #"{"action":"login","resource":"user","requestedBy":"alice"}"#, 1),
            ("e2", #"{"action":"view","resource":"document","resourceId":7}"#, 2),
            ("e3", #"{"action":"view","resource":"document","resourceId":8,"details":{"page":3},"requestedBy":"bob"}"#, 3),
            ("e4", #"{"action":"edit","resource":"document"}"#, 4),
        ]
        let events = seeds.map { AuditFixtures.event(id: "\($0.0)", data: $0.1, time: Self.day($0.2)) }
        #expect(audit.handle(events) == [.ok, .ok, .ok, .ok])
        let actions = { (query: String) throws -> [String] in
            let list = try #require(try self.get(audit, query).json as? [[String: Any]])
            return list.map { "\($0["action"]!)@\(($0["occurredAt"] as? String)?.prefix(10) ?? "?")" }
        }
        #expect(try actions("") == ["edit@2024-01-04", "view@2024-01-03", "view@2024-01-02", "login@2024-01-01"])
        #expect(try actions("resource=document") == ["edit@2024-01-04", "view@2024-01-03", "view@2024-01-02"])
        #expect(try actions("resource=document&action=view") == ["view@2024-01-03", "view@2024-01-02"])
        #expect(try actions("since=2024-01-03") == ["edit@2024-01-04", "view@2024-01-03"])
        #expect(try actions("since=2024-01-02T12%3A00%3A00Z&limit=1") == ["edit@2024-01-04"])
        #expect(try actions("resource=nothing") == [])

        let newest = try #require((try get(audit, "action=view&limit=1").json as? [[String: Any]])?.first)
        #expect(newest["resource"] as? String == "document")
        #expect(newest["resourceId"] as? String == "8")
        #expect(newest["actor"] as? String == "bob")
        #expect(newest["details"] as? [String: Int] == ["page": 3])
        #expect(newest["occurredAt"] as? String == "2024-01-03T00:00:00.000000Z")
        #expect((newest["eventId"] as? String)?.count == 36)
    }

    /// `since` holds to the millisecond in every accepted form: a parsed `.123` is a `Double` a
    /// hair below it, and formatting it must not make it `.122` (a filter 1 ms wider than asked).
    @Test func sinceIsExactToTheMillisecondInEveryAcceptedForm() throws {
        let database = try ScratchDatabase()
        let (registry, audit) = try AuditFixtures.registry(databaseURL: database.url)
        defer { registry.shutdown() }
        let start = 1_704_153_600_000  // 2024-01-02T00:00:00Z, in milliseconds
        let offsets = [1, 7, 122, 123, 124, 299, 577, 999]
        // Each event at the middle of its millisecond, so its envelope time prints exactly it.
        let events = offsets.map { offset in
            AuditFixtures.event(data: #"{"action":"a\#(offset)","resource":"r"}"#, time: Date(timeIntervalSince1970: (Double(start + offset) + 0.5) / 1000))
        }
        #expect(audit.handle(events) == events.map { _ in .ok })
        let actions = { (since: String) throws -> [String] in
            let list = try #require(try self.get(audit, "since=\(since)").json as? [[String: Any]])
            return list.compactMap { $0["action"] as? String }
        }
        let all = offsets.reversed().map { "a\($0)" }
        for offset in offsets {
            let since = "2024-01-02T00:00:00.\(String(offset + 1000).dropFirst())Z"
            #expect(try actions(since) == offsets.filter { $0 >= offset }.reversed().map { "a\($0)" }, "since=\(since)")
        }
        // The same instant in another zone ('+' percent-encoded, as a query needs), a bare day,
        // whole seconds.
        #expect(try actions("2024-01-02T02:00:00.123%2B02:00") == ["a999", "a577", "a299", "a124", "a123"])
        #expect(try actions("2024-01-02") == all)
        #expect(try actions("2024-01-02T00%3A00%3A01Z") == [])
        #expect(try actions("2024-01-03") == [])
    }

    @Test(arguments: [
        ("limit=0", "limit must be an integer from 1 to 500; got '0'"),
        ("limit=501", "limit must be an integer from 1 to 500; got '501'"),
        ("limit=ten", "limit must be an integer from 1 to 500; got 'ten'"),
        ("since=yesterday", "since must be an ISO-8601 date or time, e.g. 2024-05-01 or 2024-05-01T12:00:00Z; got 'yesterday'"),
        ("since=2024-13-01", "since must be an ISO-8601 date or time, e.g. 2024-05-01 or 2024-05-01T12:00:00Z; got '2024-13-01'"),
        ("since=02.01.2024", "since must be an ISO-8601 date or time, e.g. 2024-05-01 or 2024-05-01T12:00:00Z; got '02.01.2024'"),
        ("since=1704153600000", "since must be an ISO-8601 date or time, e.g. 2024-05-01 or 2024-05-01T12:00:00Z; got '1704153600000'"),
        ("since=2024-01-02T25%3A00%3A00Z", "since must be an ISO-8601 date or time, e.g. 2024-05-01 or 2024-05-01T12:00:00Z; got '2024-01-02T25:00:00Z'"),
        ("since=2024-02-30", "since must be an ISO-8601 date or time, e.g. 2024-05-01 or 2024-05-01T12:00:00Z; got '2024-02-30'"),
        ("resorce=document", "unknown parameter 'resorce' (known: resource, action, resourceId, actor, since, limit)"),
    ])
    func badParameterIs400SayingWhich(query: String, message: String) throws {
        let database = try ScratchDatabase()
        let (registry, audit) = try AuditFixtures.registry(databaseURL: database.url)
        defer { registry.shutdown() }
        let (status, json) = try get(audit, query)
        #expect(status == 400)
        let body = try #require(json as? [String: Any])
        #expect(body["ok"] as? Bool == false)
        #expect(body["error"] as? String == message)
        #expect(body.count == 2)
    }
}

import Foundation
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

    @Test(arguments: [
        ("limit=0", "limit must be an integer from 1 to 500; got '0'"),
        ("limit=501", "limit must be an integer from 1 to 500; got '501'"),
        ("limit=ten", "limit must be an integer from 1 to 500; got 'ten'"),
        ("since=yesterday", "since must be an ISO-8601 date or time, e.g. 2024-05-01 or 2024-05-01T12:00:00Z; got 'yesterday'"),
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

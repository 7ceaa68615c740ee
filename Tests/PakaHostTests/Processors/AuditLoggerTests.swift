import Foundation
import PakaPipeline
import PakaPluginHost
import PakaPostgres
import Testing

/// The audit `.so` loaded into a host registry, writing to a real PostgreSQL.
@Suite struct AuditLoggerTests {
    @Test func eventIsStoredWithEveryColumn() throws {
        let database = try ScratchDatabase()
        let (registry, audit) = try AuditFixtures.registry(databaseURL: database.url)
        defer { registry.shutdown() }
        let id = UUID().uuidString.lowercased()
        let time = Date(timeIntervalSince1970: 1_714_557_600.25)  // 2024-05-01T10:00:00.25Z
        let event = AuditFixtures.event(id: id, data: #"{"action":"document.viewed","resource":"document","resourceId":123,"details":{"note":"hi","n":2},"requestedBy":"alice"}"#, time: time)
        #expect(audit.handle([event]) == [.ok])

        let row = try database.connect().execute("""
            SELECT event_id, action, resource, resource_id, actor, details::text AS details,
                   extract(epoch FROM occurred_at)::numeric(16,3)::text AS occurred, recorded_at > now() - interval '1 minute' AS fresh
            FROM audit_events
            """)
        #expect(row.rows.count == 1)
        #expect(row.value(0, "event_id") == id)
        #expect(row.value(0, "action") == "document.viewed")
        #expect(row.value(0, "resource") == "document")
        #expect(row.value(0, "resource_id") == "123")
        #expect(row.value(0, "actor") == "alice")
        #expect(row.value(0, "details") == #"{"n": 2, "note": "hi"}"#)
        #expect(row.value(0, "occurred") == "1714557600.250")
        #expect(row.value(0, "fresh") == "t")
    }

    @Test func redeliveredEventsInsertNoSecondRow() throws {
        let database = try ScratchDatabase()
        let (registry, audit) = try AuditFixtures.registry(databaseURL: database.url)
        defer { registry.shutdown() }
        let events = (0..<5).map { AuditFixtures.event(data: #"{"action":"login","resource":"user","resourceId":"u\#($0)"}"#) }
        #expect(audit.handle(events) == Array(repeating: .ok, count: 5))
        // Redelivered, with attempts > 1, and one repeated inside the same batch.
        let again = events.map { AuditFixtures.event(id: $0.id, data: #"{"action":"login","resource":"user"}"#, attempt: 2) }
        #expect(audit.handle(again + [again[0]]) == Array(repeating: .ok, count: 6))
        #expect(try database.connect().execute("SELECT count(*) AS n FROM audit_events").value(0, "n") == "5")
    }

    /// A batch that is partly stored already (a redelivery after a rebalance, say) stores just
    /// its new events, each once, and answers OK for all.
    @Test func aPartlyRedeliveredBatchStoresOnlyItsNewEvents() throws {
        let database = try ScratchDatabase()
        let (registry, audit) = try AuditFixtures.registry(databaseURL: database.url)
        defer { registry.shutdown() }
        let stored = (0..<3).map { AuditFixtures.event(data: #"{"action":"first","resource":"r","resourceId":\#($0)}"#) }
        #expect(audit.handle(stored) == Array(repeating: .ok, count: 3))
        let fresh = (0..<4).map { AuditFixtures.event(data: #"{"action":"second","resource":"r","resourceId":\#($0)}"#) }
        let mixed = [fresh[0], stored[1], fresh[1], stored[0], fresh[2], stored[2], fresh[3]].map { var e = $0; e.attempt = 2; return e }
        #expect(audit.handle(mixed) == Array(repeating: .ok, count: 7))
        #expect(try database.connect().execute("SELECT action, count(*) AS n FROM audit_events GROUP BY action ORDER BY action").rows
                == [["first", "3"], ["second", "4"]])
    }

    @Test func aBatchOfAThousandIsStoredInOneCall() throws {
        let database = try ScratchDatabase()
        let (registry, audit) = try AuditFixtures.registry(databaseURL: database.url)
        defer { registry.shutdown() }
        let events = (0..<1000).map { AuditFixtures.event(data: #"{"action":"bulk","resource":"item","resourceId":\#($0),"details":{"i":\#($0)}}"#) }
        #expect(audit.handle(events) == Array(repeating: .ok, count: 1000))
        // recorded_at defaults to now(), the transaction's start: one value means one statement.
        #expect(try database.connect().execute("SELECT count(*) AS n, count(DISTINCT resource_id) AS ids, count(DISTINCT recorded_at) AS statements FROM audit_events").rows
                == [["1000", "1000", "1"]])
    }

    @Test func malformedEventsFailWithTheReasonWhileTheRestAreStored() throws {
        let database = try ScratchDatabase()
        let (registry, audit) = try AuditFixtures.registry(databaseURL: database.url)
        defer { registry.shutdown() }
        let good1 = AuditFixtures.event(data: #"{"action":"a","resource":"r"}"#)
        let good2 = AuditFixtures.event(data: #"{"action":"b","resource":"r","details":{}}"#)
        let outcomes = audit.handle([
            AuditFixtures.event(id: "m1", data: #"{"resource":"r"}"#),
            good1,
            AuditFixtures.event(id: "m2", data: #"{"action":"a"}"#),
            AuditFixtures.event(id: "m3", data: #"{"action":42,"resource":"r"}"#),
            AuditFixtures.event(id: "m4", data: #"{"action":"a","resource":"r","details":"text"}"#),
            AuditFixtures.event(id: "m5", data: #""just a string""#),
            AuditFixtures.event(id: "m6", data: #"{"action":"a","resource":"r","resourceId":[1]}"#),
            good2,
            // A non-UUID id takes the INSERT path, whose C-string parameters would cut at the NUL.
            AuditFixtures.event(id: "m7", data: #"{"action":"a\u0000b","resource":"r"}"#),
            AuditFixtures.event(data: #"{"action":"a","resource":"r","requestedBy":"\u0000"}"#),
        ])
        #expect(outcomes.map { Array($0.dropLast()) } == [
            .fail("audit event m1: 'action' is required (a non-empty string)"),
            .ok,
            .fail("audit event m2: 'resource' is required (a non-empty string)"),
            .fail("audit event m3: 'action' must be a string"),
            .fail("audit event m4: 'details' must be a JSON object"),
            .fail("audit event m5: 'data' is missing or not an object"),
            .fail("audit event m6: 'resourceId' must be a string or an integer"),
            .ok,
            .fail("audit event m7: 'action' contains a NUL character (\\u0000), which PostgreSQL text cannot store"),
        ])
        #expect(outcomes?.last.map { if case .fail(let reason) = $0 { reason.hasSuffix("'requestedBy' contains a NUL character (\\u0000), which PostgreSQL text cannot store") } else { false } } == true)
        #expect(try database.connect().execute("SELECT action FROM audit_events ORDER BY action").rows == [["a"], ["b"]])
    }

    @Test func anEnvelopeThatIsNotJSONFailsAloneWhileTheRestAreStored() throws {
        let database = try ScratchDatabase()
        let (registry, audit) = try AuditFixtures.registry(databaseURL: database.url)
        defer { registry.shutdown() }
        let good = AuditFixtures.event(data: #"{"action":"a","resource":"r"}"#)
        var truncated = AuditFixtures.event(id: "t1", data: #"{"action":"a","resource":"r"}"#)
        truncated.payload.removeLast()
        var notUTF8 = AuditFixtures.event(id: "t2", data: #"{"action":"a","resource":"r","details":{"k":"vX"}}"#)
        notUTF8.payload[notUTF8.payload.lastIndex(of: UInt8(ascii: "X"))!] = 0xFF
        var trailing = AuditFixtures.event(id: "t3", data: #"{"action":"a","resource":"r"}"#)
        trailing.payload += Array(" {}".utf8)
        #expect(audit.handle([truncated, good, notUTF8, trailing]) == [
            .fail("audit event t1: envelope is not a JSON object"),
            .ok,
            .fail("audit event t2: envelope is not a JSON object"),
            .fail("audit event t3: envelope is not a JSON object"),
        ])
        #expect(try database.connect().execute("SELECT count(*) AS n FROM audit_events").value(0, "n") == "1")
    }

    @Test func aTimeThePostgreSQLRefusesFailsOnlyThatEvent() throws {
        let database = try ScratchDatabase()
        let (registry, audit) = try AuditFixtures.registry(databaseURL: database.url)
        defer { registry.shutdown() }
        let good = AuditFixtures.event(data: #"{"action":"a","resource":"r"}"#)
        var bad = AuditFixtures.event(id: UUID().uuidString.lowercased(), data: #"{"action":"a","resource":"r"}"#)
        bad.payload = Array(String(decoding: bad.payload, as: UTF8.self).replacingOccurrences(of: #""time":""#, with: #""time":"not a time "#).utf8)
        let outcomes = try #require(audit.handle([good, bad]))
        #expect(outcomes[0] == .ok)
        guard case .fail(let reason) = outcomes[1] else { Issue.record("expected FAIL, got \(outcomes[1])"); return }
        #expect(reason.contains("refused by PostgreSQL"))
        #expect(try database.connect().execute("SELECT count(*) AS n FROM audit_events").value(0, "n") == "1")
    }

    @Test func withoutADatabaseURLTheHostRefusesThePluginSayingWhy() throws {
        let registry = PluginRegistry(services: RecordingHostServices(), logger: .test)
        defer { registry.shutdown() }
        let refusals = registry.apply(PakaConfiguration(pluginDir: "/", plugins: [
            PluginEntry(name: "audit", library: TestPaths.builtPlugin("AuditLogger"), config: .object(["databaseURL": .string("")])),
        ]))
        #expect(refusals.first?.message.contains("audit needs DATABASE_URL") == true)
    }
}

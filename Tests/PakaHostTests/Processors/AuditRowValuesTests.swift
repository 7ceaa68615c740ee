import Foundation
import PakaPipeline
import PakaPluginHost
import PakaPostgres
import Testing

/// What lands in each column of `audit_events`: values as sent, whatever characters they hold.
@Suite struct AuditRowValuesTests {
    /// An envelope written by hand: `time` only when given.
    static func event(id: String, data: String, time: String? = nil) -> PluginEvent {
        let timeMember = time.map { #","time":"\#($0)""# } ?? ""
        let envelope = #"{"specversion":"1.0","id":"\#(id)","source":"paka/test","type":"audit.event"\#(timeMember),"data":\#(data)}"#
        return PluginEvent(id: id, topic: "audit.event", key: Array(id.utf8), payload: Array(envelope.utf8))
    }

    @Test func detailsAreStoredAsSentAndTextKeepsTabsNewlinesBackslashesAndEscapes() throws {
        let database = try ScratchDatabase()
        let (registry, audit) = try AuditFixtures.registry(databaseURL: database.url)
        defer { registry.shutdown() }
        let details = #"{ "path" : "C:\\tmp\\x" ,"lines":"a\nb\tc","list":[1, 2.5e3, {"deep": null}], "é":"\u00e9\ud83d\ude00" }"#
        let event = AuditFixtures.event(data: #"{"action":"tab\there\\back","resource":"line\nbreak","resourceId":"\u00fc","requestedBy":"al\"ice","details":\#(details)}"#)
        #expect(audit.handle([event]) == [.ok])
        let row = try database.connect().execute("""
            SELECT action, resource, resource_id, actor, details = $1::jsonb AS same FROM audit_events
            """, [details])
        #expect(row.rows == [["tab\there\\back", "line\nbreak", "ü", "al\"ice", "t"]])
    }

    @Test func anEventWithoutATimeOccursWhenItIsStored() throws {
        let database = try ScratchDatabase()
        let (registry, audit) = try AuditFixtures.registry(databaseURL: database.url)
        defer { registry.shutdown() }
        let events = [
            Self.event(id: UUID().uuidString.lowercased(), data: #"{"action":"a","resource":"r"}"#),
            Self.event(id: UUID().uuidString.lowercased(), data: #"{"action":"b","resource":"r"}"#, time: "2024-05-01T10:00:00Z"),
        ]
        #expect(audit.handle(events) == [.ok, .ok])
        let rows = try database.connect().execute("""
            SELECT action, occurred_at = recorded_at AS now, extract(epoch FROM occurred_at)::bigint::text AS epoch FROM audit_events ORDER BY action
            """).rows
        #expect(rows.map { $0[0] } == ["a", "b"])
        #expect(rows[0][1] == "t")
        #expect(rows[1][2] == "1714557600")
    }

    /// Foreign ids map to md5(id)::uuid exactly as the SQL in `MigratedDatabase.eventUUID`
    /// does (the report processor relies on it); UUID ids are themselves, in any case.
    @Test func eventIdsMapToTheSameUUIDAsTheSQLMapping() throws {
        let database = try ScratchDatabase()
        let (registry, audit) = try AuditFixtures.registry(databaseURL: database.url)
        defer { registry.shutdown() }
        let ids = ["order-42", "événement 7 ✓", "", String(repeating: "x", count: 200), UUID().uuidString.uppercased(), "{\(UUID().uuidString)}"]
        #expect(audit.handle(ids.map { Self.event(id: $0, data: #"{"action":"a","resource":"r"}"#) }) == Array(repeating: .ok, count: ids.count))
        let db = try database.connect()
        for id in ids {
            let found = try db.execute("SELECT count(*) AS n FROM audit_events WHERE event_id = \(MigratedDatabase.eventUUID("$1"))", [id])
            #expect(found.value(0, "n") == "1", "id '\(id)'")
        }
        // The upper-case UUID redelivered in lower case is the same row.
        #expect(audit.handle([Self.event(id: ids[4].lowercased(), data: #"{"action":"a","resource":"r"}"#)]) == [.ok])
        #expect(try db.execute("SELECT count(*) AS n FROM audit_events").value(0, "n") == "\(ids.count)")
    }

    @Test func resourceIdIsAStringOrAWholeNumber() throws {
        let database = try ScratchDatabase()
        let (registry, audit) = try AuditFixtures.registry(databaseURL: database.url)
        defer { registry.shutdown() }
        let values = [#""abc""#, "-3", "12345678901234567890", "5.0", "1e3", "1.5", "true", "{}"]
        let events = values.enumerated().map { Self.event(id: "rid-\($0.offset)", data: #"{"action":"a","resource":"r","resourceId":\#($0.element)}"#) }
        let bad = { (n: Int) in EventOutcome.fail("audit event rid-\(n): 'resourceId' must be a string or an integer") }
        #expect(audit.handle(events) == [.ok, .ok, .ok, .ok, .ok, bad(5), bad(6), bad(7)])
        #expect(try database.connect().execute(#"SELECT resource_id FROM audit_events ORDER BY resource_id COLLATE "C""#).rows.map { $0[0] }
                == ["-3", "1000", "12345678901234567890", "5", "abc"])
    }
}

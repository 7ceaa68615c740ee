import Foundation
import PakaPipeline
import PakaPluginHost
import PakaPostgres
import Testing

/// PostgreSQL stopped under the audit `.so` (a private throwaway server, never the shared one).
@Suite struct AuditOutageTests {
    @Test func stoppedDatabaseAnswersRetryThenEverythingIsStoredAfterRestart() async throws {
        // Blocking throughout (initdb, pg_ctl, libpq): on a thread of its own, not the cooperative pool.
        try await onOwnThread {
            let server = try ThrowawayPostgres()
            let (registry, audit) = try AuditFixtures.registry(databaseURL: server.url)
            defer { registry.shutdown() }
            let before = (0..<10).map { AuditFixtures.event(data: #"{"action":"before","resource":"r","resourceId":\#($0)}"#, partition: 0) }
            #expect(audit.handle(before) == Array(repeating: .ok, count: 10))

            try server.stop()
            let during = (0..<10).map { AuditFixtures.event(data: #"{"action":"during","resource":"r","resourceId":\#($0)}"#, partition: 0) }
            let outcomes = try #require(audit.handle(during + [AuditFixtures.event(id: "bad", data: #"{"resource":"r"}"#, partition: 1)]))
            for outcome in outcomes.prefix(10) {
                guard case .retry(let reason) = outcome else { Issue.record("expected RETRY during the outage, got \(outcome)"); continue }
                #expect(reason.contains("PostgreSQL unavailable"))
            }
            // A malformed event is still the event's fault, outage or not.
            #expect(outcomes.last == .fail("audit event bad: 'action' is required (a non-empty string)"))
            #expect(audit.health()?.healthy == false)
            #expect(audit.health()?.message.contains("PostgreSQL unreachable") == true)

            try server.start()
            let redelivered = during.map { var e = $0; e.attempt = 2; return e }
            #expect(audit.handle(redelivered) == Array(repeating: .ok, count: 10))
            #expect(audit.health()?.healthy == true)
            let db = try PostgresConnection(url: server.url)
            #expect(try db.execute("SELECT action, count(*) AS n FROM audit_events GROUP BY action ORDER BY action").rows == [["before", "10"], ["during", "10"]])
        }
    }
}

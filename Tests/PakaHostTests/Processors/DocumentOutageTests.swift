import Foundation
import PakaPipeline
import PakaPluginHost
import Testing

/// PostgreSQL going away is an outage, not a bad event: RETRY until it is back, then nothing lost.
@Suite struct DocumentOutageTests {
    @Test func postgresStoppedMidRunMeansRetryThenSuccessAfterRestart() async throws {
        // Blocking throughout (initdb, pg_ctl, libpq): on a thread of its own, not the cooperative pool.
        try await onOwnThread {
            let postgres = try ThrowawayPostgres()
            let fixture = try DocumentFixture(databaseURL: postgres.url)
            let before = try fixture.ingest("before.txt", "Written while the database was up.")
            #expect(try fixture.row(before)["status"] == "embedded")

            try postgres.stop()
            let id = UUID().uuidString.lowercased()
            let event = DocumentFixture.event(documentId: id, fileName: "during.txt", contentType: "text/plain",
                                              path: fixture.store("\(id).txt", "Uploaded while the database was down."))
            for attempt in 1...2 {
                let outcome = fixture.handle(event)
                guard case .retry(let reason) = outcome else { Issue.record("attempt \(attempt): expected RETRY, got \(String(describing: outcome))"); return }
                #expect(reason.hasPrefix("PostgreSQL unavailable"))
            }
            #expect(fixture.plugin.health()?.healthy == false)

            try postgres.start()
            #expect(fixture.handle(event) == .ok)
            #expect(try fixture.row(id)["status"] == "embedded")
            #expect(try fixture.chunks(of: id) == ["Uploaded while the database was down."])
            #expect(fixture.published("document.embedded").compactMap { $0["documentId"] as? String } == [before, id])
            #expect(fixture.plugin.health()?.healthy == true)
        }
    }

    @Test func firstContactWithADownDatabaseIsRetryNotARefusal() async throws {
        // Blocking throughout (initdb, pg_ctl, libpq): on a thread of its own, not the cooperative pool.
        try await onOwnThread {
            let postgres = try ThrowawayPostgres()
            try postgres.stop()
            // The plugin starts anyway (the host may come up before PostgreSQL)…
            let fixture = try DocumentFixture(databaseURL: postgres.url)
            let id = UUID().uuidString.lowercased()
            let event = DocumentFixture.event(documentId: id, fileName: "early.txt", contentType: "text/plain",
                                              path: fixture.store("\(id).txt", "Arrived before the database."))
            guard case .retry = fixture.handle(event) else { Issue.record("expected RETRY"); return }
            #expect(fixture.get("/search", query: "q=early").status == 503)
            // …and creates its tables once the database is there.
            try postgres.start()
            #expect(fixture.handle(event) == .ok)
            #expect(try fixture.row(id)["status"] == "embedded")
        }
    }
}

import Foundation
import PakaPipeline
import PakaPluginHost
import Testing

/// `GET /plugins/document/search`: the query embedded like the chunks, ranked by cosine similarity.
@Suite struct DocumentSearchTests {
    @Test func relevantDocumentComesFirst() throws {
        let fixture = try DocumentFixture()
        // Made-up words: the query must match through them, not through common English. Fixed, not
        // random: feature hashing (384 buckets) lets some random words collide with the other
        // document's words and outrank it (CI failed that way); the fixture's database is its own.
        let tag = "q417203", word = "zorblax"
        let garden = try fixture.ingest("garden.txt", "\(word) tomatoes \(tag) need full sun and daily watering in the greenhouse.")
        let ledger = try fixture.ingest("ledger.txt", "The quarterly ledger \(tag) lists invoices, refunds and bank fees.")
        let answer = fixture.get("/search", query: "q=\(tag)+\(word)&limit=50")
        #expect(answer.status == 200)
        let results = try #require(answer.json["results"] as? [[String: Any]])
        #expect(results.count >= 2)
        #expect(results.first?["documentId"] as? String == garden)
        #expect(results.first?["fileName"] as? String == "garden.txt")
        #expect(results.first?["chunkIndex"] as? Int == 0)
        #expect((results.first?["snippet"] as? String)?.hasPrefix("\(word) tomatoes") == true)
        let scores = results.compactMap { $0["score"] as? Double }
        #expect(scores == scores.sorted(by: >))
        #expect(results.contains { $0["documentId"] as? String == ledger })
        #expect(answer.json["model"] as? String == "paka-feature-hashing-384")
    }

    @Test func longQueryRanksTheSameWay() throws {
        let fixture = try DocumentFixture()
        let tag = "long417203"
        let text = (1...40).map { "\(tag) clause \($0) of the warehouse lease." }.joined(separator: " ")
        let lease = try fixture.ingest("lease.txt", text)
        try fixture.ingest("other.txt", "\(tag) appears once in a note about lunch.")
        // Over a hundred hashed features: the dense dot product path, not the sparse one.
        let query = text.prefix(700).split(separator: " ").joined(separator: "+")
        let results = fixture.get("/search", query: "q=\(query)&limit=3").json["results"] as? [[String: Any]] ?? []
        #expect(results.first?["documentId"] as? String == lease)
        #expect((results.first?["score"] as? Double ?? 0) > 0.5)
    }

    @Test func limitCapsTheResults() throws {
        let fixture = try DocumentFixture()
        for n in 1...3 { try fixture.ingest("\(n).txt", "Limit test document number \(n) about shipping containers.") }
        let answer = fixture.get("/search", query: "q=shipping%20containers&limit=2")
        #expect((answer.json["results"] as? [Any])?.count == 2)
    }

    @Test func missingQueryOrBadLimitIs400() throws {
        let fixture = try DocumentFixture()
        let missing = fixture.get("/search")
        #expect(missing.status == 400)
        #expect(missing.json["ok"] as? Bool == false)
        #expect((missing.json["error"] as? String)?.contains("?q=") == true)
        #expect(fixture.get("/search", query: "q=%20").status == 400)
        #expect(fixture.get("/search", query: "q=x&limit=0").status == 400)
        #expect(fixture.get("/search", query: "q=x&limit=abc").status == 400)
    }

    @Test func healthReportsTheDatabase() throws {
        let fixture = try DocumentFixture()
        #expect(fixture.plugin.health()?.healthy == true)
        let unreachable = try DocumentFixture(databaseURL: "postgresql://postgres@127.0.0.1:1/paka?connect_timeout=2")
        let health = unreachable.plugin.health()
        #expect(health?.healthy == false)
        #expect(health?.message.hasPrefix("database unreachable: PostgreSQL unavailable: cannot connect to PostgreSQL") == true)
    }

    @Test func createWithoutDatabaseURLIsRefusedWithTheFix() throws {
        let registry = PluginRegistry(services: RecordingHostServices(), logger: .test)
        defer { registry.shutdown() }
        let refusals = registry.apply(PakaConfiguration(pluginDir: "/", plugins: [
            PluginEntry(name: "document", library: TestPaths.builtPlugin("DocumentProcessor"), config: .object(["databaseURL": .string("")])),
        ]))
        #expect(refusals.first?.message.contains("document needs DATABASE_URL") == true)
    }
}

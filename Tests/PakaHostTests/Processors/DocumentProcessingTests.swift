import Foundation
import PakaPipeline
import PakaPluginHost
import Testing

/// `document.uploaded` through the `.so` into PostgreSQL, with the events it publishes.
@Suite struct DocumentProcessingTests {
    static let report = (1...30).map { "Paragraph \($0) of the annual report covers revenue, costs and hiring plans in region \($0)." }.joined(separator: " ")

    @Test func uploadBecomesAnEmbeddedDocumentWithChunkVectorsAndBothEvents() throws {
        let fixture = try DocumentFixture()
        let id = UUID().uuidString.lowercased(), eventId = UUID().uuidString.lowercased()
        let path = fixture.store("\(id).txt", Self.report)
        #expect(fixture.handle(DocumentFixture.event(documentId: id, eventId: eventId, fileName: "report.txt", contentType: "text/plain", path: path)) == .ok)

        let row = try fixture.row(id)
        let chunks = try fixture.chunks(of: id)
        #expect(row["status"] == "embedded")
        #expect(row["event_id"] == eventId)
        #expect(row["error"] == nil)
        #expect(row["chunk_count"] == "\(chunks.count)")
        #expect(row["dimensions"] == "384")
        #expect(row["embedding_model"] == "paka-feature-hashing-384")
        #expect(chunks.count >= 3)
        #expect(try fixture.vectors(of: id).allSatisfy { $0.count == 384 })

        #expect(fixture.services.published.map(\.topic) == ["document.parsed", "document.embedded"])
        #expect(fixture.services.published.allSatisfy { $0.key == id })
        let parsed = try #require(fixture.published("document.parsed").first)
        #expect(parsed["documentId"] as? String == id)
        #expect(parsed["chunkCount"] as? Int == chunks.count)
        #expect(parsed["characters"] as? Int == Self.report.count)
        let embedded = try #require(fixture.published("document.embedded").first)
        #expect(embedded["documentId"] as? String == id)
        #expect(embedded["chunkCount"] as? Int == chunks.count)
        #expect(embedded["dimensions"] as? Int == 384)
        #expect(embedded["model"] as? String == "paka-feature-hashing-384")

        let answer = fixture.get("/documents/\(id)")
        #expect(answer.status == 200)
        #expect(answer.json["ok"] as? Bool == true)
        #expect(answer.json["status"] as? String == "embedded")
        #expect(answer.json["fileName"] as? String == "report.txt")
        #expect(answer.json["chunkCount"] as? Int == chunks.count)
    }

    @Test func redeliveryStoresNoSecondChunkAndPublishesNothingMore() throws {
        let fixture = try DocumentFixture()
        let id = UUID().uuidString.lowercased(), eventId = UUID().uuidString.lowercased()
        let event = DocumentFixture.event(documentId: id, eventId: eventId, fileName: "r.txt", contentType: "text/plain",
                                          path: fixture.store("\(id).txt", Self.report))
        #expect(fixture.handle(event) == .ok)
        let chunks = try fixture.chunks(of: id)
        #expect(fixture.handle(event) == .ok)
        // The same document under a new event id (say, replayed by hand) is not embedded again either.
        #expect(fixture.handle(DocumentFixture.event(documentId: id, fileName: "r.txt", contentType: "text/plain",
                                                     path: fixture.store("\(id).txt", Self.report), attempt: 2)) == .ok)
        #expect(try fixture.chunks(of: id) == chunks)
        #expect(try fixture.database().execute("SELECT count(*) AS n FROM document_chunks WHERE document_id = $1", [id]).value(0, "n") == "\(chunks.count)")
        #expect(fixture.services.published.map(\.topic) == ["document.parsed", "document.embedded"])
    }

    @Test func malformedEventFailsWithTheReason() throws {
        let fixture = try DocumentFixture()
        let notJSONData = fixture.handle(DocumentFixture.rawEvent(id: "e-1", data: Data(#""just a string""#.utf8)))
        guard case .fail(let reason) = notJSONData else { Issue.record("expected FAIL, got \(String(describing: notJSONData))"); return }
        #expect(reason.contains("event e-1 on document.uploaded: data is not a valid DocumentUploaded"))

        let missingPath = fixture.handle(DocumentFixture.rawEvent(id: "e-2", data: Data(#"{"documentId": "\#(UUID())", "fileName": "a.txt", "contentType": "text/plain"}"#.utf8)))
        guard case .fail(let pathReason) = missingPath else { Issue.record("expected FAIL"); return }
        #expect(pathReason.contains("path"))

        let badId = fixture.handle(DocumentFixture.event(documentId: "42", eventId: "e-3", fileName: "a.txt", contentType: "text/plain", path: "/x"))
        #expect(badId == .fail("event e-3: documentId '42' is not a UUID"))
        #expect(fixture.services.published.isEmpty)
    }

    @Test func missingFileFailsAndRecordsTheReason() throws {
        let fixture = try DocumentFixture()
        let id = UUID().uuidString.lowercased()
        let path = "\(fixture.uploads)/\(id)-gone.txt"
        let outcome = fixture.handle(DocumentFixture.event(documentId: id, fileName: "gone.txt", contentType: "text/plain", path: path))
        let reason = "file \(path) does not exist: was the upload folder (PAKA_DATA_DIR) cleaned or moved?"
        #expect(outcome == .fail("document \(id): \(reason)"))
        #expect(try fixture.row(id)["status"] == "failed")
        #expect(try fixture.row(id)["error"] == reason)
        let answer = fixture.get("/documents/\(id)")
        #expect(answer.json["status"] as? String == "failed")
        #expect(answer.json["error"] as? String == reason)
        #expect(fixture.services.published.isEmpty)
    }

    @Test func unsupportedTypeFailsNamingTheSupportedOnes() throws {
        let fixture = try DocumentFixture()
        let id = UUID().uuidString.lowercased()
        let outcome = fixture.handle(DocumentFixture.event(documentId: id, fileName: "archive.zip", contentType: "application/zip",
                                                           path: fixture.store("\(id).zip", [0x50, 0x4B, 3, 4])))
        #expect(outcome == .fail("document \(id): unsupported document type 'application/zip' for 'archive.zip': supported are txt, md, html, json, csv, pdf"))
        #expect(try fixture.row(id)["status"] == "failed")
    }

    @Test func fileOutsideTheUploadFolderIsNotRead() throws {
        let fixture = try DocumentFixture()
        let id = UUID().uuidString.lowercased()
        let outcome = fixture.handle(DocumentFixture.event(documentId: id, fileName: "passwd.txt", contentType: "text/plain", path: "/etc/passwd"))
        guard case .fail(let reason) = outcome else { Issue.record("expected FAIL, got \(String(describing: outcome))"); return }
        #expect(reason.contains("is outside the upload folder"))
        #expect(try fixture.chunks(of: id).isEmpty)
    }

    @Test func unknownDocumentIs404AndUnknownRouteToo() throws {
        let fixture = try DocumentFixture()
        let unknown = fixture.get("/documents/\(UUID())")
        #expect(unknown.status == 404)
        #expect(unknown.json["ok"] as? Bool == false)
        #expect(fixture.get("/documents/not-a-uuid").status == 404)
        #expect(fixture.get("/nothing").status == 404)
    }
}

import Foundation
import Hummingbird
import HummingbirdTesting
@testable import PakaPipeline
@testable import PakaPluginHost
import Testing

/// The seed's flow over the HTTP API, Kafka not connected (events processed synchronously):
/// upload → parsed → embedded → searchable.
@Suite struct DocumentEndToEndTests {
    @Test func uploadedFileIsEmbeddedAndFoundThroughTheHTTPAPI() async throws {
        // A database of its own: the ranking is asserted, and a shared one holds other runs' documents.
        let database = try ScratchDatabase()
        let databaseURL = database.url
        let library = TestPaths.builtPlugin("DocumentProcessor")
        let host = try await TestHost(plugins: #"""
            [{"name": "document", "library": "\#(library)",
              "config": {"dataDir": "${PAKA_DATA_DIR}", "databaseURL": "\#(databaseURL)"}}]
            """#)
        let tag = "e2e417203"
        let content = "<html><body><h1>Onboarding \(tag)</h1><p>New hires receive a laptop, a badge and a mentor on day one.</p></body></html>"
        var headers = try await host.bearer()
        headers[.contentType] = "multipart/form-data; boundary=\(UploadRouteTests.boundary)"
        let uploadHeaders = headers
        let bearer = try await host.bearer()

        let (upload, search, document) = try await host.test { client in
            let upload = try await client.execute(uri: "/upload", method: .post, headers: uploadHeaders,
                                                  body: UploadRouteTests.multipart(fileName: "onboarding.html", contentType: "text/html", content: Array(content.utf8)))
            let id = upload.object?["documentId"] as? String ?? ""
            let search = try await client.execute(uri: "/plugins/document/search?q=\(tag)%20laptop%20mentor&limit=3", method: .get, headers: bearer)
            let document = try await client.execute(uri: "/plugins/document/documents/\(id)", method: .get, headers: bearer)
            return (upload, search, document)
        }
        #expect(upload.status == .accepted, "\(upload.text)")
        let answer = try #require(upload.object)
        let id = try #require(answer["documentId"] as? String)
        #expect(answer["status"] as? String == "processed", "\(upload.text)")

        #expect(search.status == .ok, "\(search.text)")
        let results = try #require(search.object?["results"] as? [[String: Any]])
        #expect(results.first?["documentId"] as? String == id)
        #expect(results.first?["fileName"] as? String == "onboarding.html")
        #expect((results.first?["snippet"] as? String)?.contains("New hires receive a laptop") == true)

        #expect(document.status == .ok)
        #expect(document.object?["status"] as? String == "embedded")
        #expect(document.object?["chunkCount"] as? Int == 1)
        #expect(document.object?["id"] as? String == id)
    }

    @Test func searchWithoutAQueryIsA400JSONError() async throws {
        let databaseURL = try DocumentFixture.sharedDatabaseURL
        let host = try await TestHost(plugins: #"""
            [{"name": "document", "library": "\#(TestPaths.builtPlugin("DocumentProcessor"))", "config": {"databaseURL": "\#(databaseURL)"}}]
            """#)
        let bearer = try await host.bearer()
        let response = try await host.test { client in try await client.execute(uri: "/plugins/document/search", method: .get, headers: bearer) }
        #expect(response.status == .badRequest)
        #expect(response.object?["ok"] as? Bool == false)
    }
}

import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
@testable import PakaPipeline
@testable import PakaPluginHost
@testable import PakaServer
import Testing

/// `POST /upload`: content-addressed storage, `document.uploaded`, and the limits.
@Suite struct UploadRouteTests {
    static let boundary = "paka-test-boundary"

    static func multipart(field: String = "file", fileName: String = "notes.txt", contentType: String = "text/plain", content: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"comment\"\r\n\r\nhello\r\n")
        buffer.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"\(fileName)\"\r\nContent-Type: \(contentType)\r\n\r\n")
        buffer.writeBytes(content)
        buffer.writeString("\r\n--\(boundary)--\r\n")
        return buffer
    }

    static var multipartHeaders: [String: String] { ["Content-Type": "multipart/form-data; boundary=\(boundary)"] }

    private func headers(_ host: TestHost, contentType: String = "multipart/form-data; boundary=\(boundary)") async throws -> HTTPFields {
        var headers = try await host.bearer()
        headers[.contentType] = contentType
        return headers
    }

    private func storedFiles(_ host: TestHost) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(host.dataDirectory)/uploads")) ?? []).sorted()
    }

    /// The C fixture, named "uploads", consumes document.uploaded and records each event id.
    private func hostWithRecordingConsumer() async throws -> (TestHost, String, TemporaryDirectory) {
        let library = try PluginCompiler.build(defines: [#"FIXTURE_NAME="uploads""#], name: "uploads-consumer")
        let probe = TemporaryDirectory()
        let record = probe.file("record")
        let host = try await TestHost(plugins: #"[{"name": "uploads", "library": "\#(library)", "topics": ["document.uploaded"], "config": {"record": "\#(record)"}}]"#)
        return (host, record, probe)
    }

    @Test func sameContentUploadedTwiceIsStoredOnceAndPublishedTwice() async throws {
        let (host, record, probe) = try await hostWithRecordingConsumer()
        defer { withExtendedLifetime(probe) {} }
        let content = Array("the quarterly numbers\n".utf8)
        let headers = try await headers(host)
        let answers = try await host.test { client in
            var answers: [[String: Any]] = []
            for name in ["a.txt", "b.txt"] {
                let response = try await client.execute(uri: "/upload", method: .post, headers: headers, body: Self.multipart(fileName: name, content: content))
                #expect(response.status == .accepted, "\(response.text)")
                answers.append(try #require(response.object))
            }
            return answers.map { $0.mapValues { "\($0)" } }
        }
        let digest = SHA256Hex.of(content)
        #expect(storedFiles(host) == [digest])
        #expect(try String(contentsOfFile: "\(host.dataDirectory)/uploads/\(digest)", encoding: .utf8) == "the quarterly numbers\n")
        for answer in answers {
            #expect(answer["ok"] == "1")
            #expect(answer["status"] == "processed")
            #expect(answer["topic"] == "document.uploaded")
            #expect(answer["sha256"] == digest)
            #expect(answer["size"] == "\(content.count)")
            #expect(UUID(uuidString: answer["documentId"] ?? "") != nil)
        }
        #expect(answers[0]["documentId"] != answers[1]["documentId"])
        let recorded = try String(contentsOfFile: record, encoding: .utf8)
        for answer in answers { #expect(recorded.contains(answer["eventId"] ?? "missing")) }
    }

    @Test func publishedEventCarriesTheDocumentFields() async throws {
        let library = try PluginCompiler.build(name: "scripted-upload-fail")
        let host = try await TestHost(plugins: #"[{"name": "scripted", "library": "\#(library)", "topics": ["document.uploaded"]}]"#)
        let headers = try await headers(host)
        // File name "fail" makes the fixture FAIL, which spools the whole CloudEvent where we can read it.
        let answer = try await host.test { client in
            let response = try await client.execute(uri: "/upload", method: .post, headers: headers,
                                                    body: Self.multipart(fileName: "fail", contentType: "application/pdf", content: [1, 2, 3]))
            #expect(response.status == .accepted)
            return try #require(response.object).mapValues { "\($0)" }
        }
        #expect(answer["status"] == "dead-lettered")
        let spool = try String(contentsOfFile: "\(host.dataDirectory)/dead-letters/document.uploaded.dlq.jsonl", encoding: .utf8)
        let event = try #require((try JSONSerialization.jsonObject(with: Data(spool.utf8)) as? [String: Any])?["event"] as? [String: Any])
        let data = try #require(event["data"] as? [String: Any])
        #expect(event["subject"] as? String == answer["documentId"])
        #expect(data["documentId"] as? String == answer["documentId"])
        #expect(data["fileName"] as? String == "fail")
        #expect(data["contentType"] as? String == "application/pdf")
        #expect(data["size"] as? Int == 3)
        #expect(data["sha256"] as? String == SHA256Hex.of([1, 2, 3]))
        #expect(data["path"] as? String == "\(host.dataDirectory)/uploads/\(SHA256Hex.of([1, 2, 3]))")
    }

    @Test func uploadOverTheDefault20MBLimitIs413AndStoresNothing() async throws {
        let host = try await TestHost()
        let headers = try await headers(host)
        try await host.test { client in
            let response = try await client.execute(uri: "/upload", method: .post, headers: headers,
                                                    body: Self.multipart(content: [UInt8](repeating: 7, count: 21 * 1024 * 1024)))
            #expect(response.status == .contentTooLarge)
            #expect(response.object?["error"] as? String == "upload is larger than the limit of 20971520 bytes (PAKA_UPLOAD_LIMIT_BYTES)")
        }
        #expect(storedFiles(host) == [])
    }

    @Test func uploadLimitComesFromTheEnvironment() async throws {
        let host = try await TestHost(environment: ["PAKA_UPLOAD_LIMIT_BYTES": "1000"])
        let headers = try await headers(host)
        try await host.test { client in
            let small = try await client.execute(uri: "/upload", method: .post, headers: headers, body: Self.multipart(content: [UInt8](repeating: 1, count: 100)))
            #expect(small.status == .accepted)
            let big = try await client.execute(uri: "/upload", method: .post, headers: headers, body: Self.multipart(content: [UInt8](repeating: 2, count: 2000)))
            #expect(big.status == .contentTooLarge)
        }
        #expect(storedFiles(host) == [SHA256Hex.of([UInt8](repeating: 1, count: 100))])
    }

    /// A chunked body declares no length: the limit is enforced while streaming, and the
    /// partial temporary file is removed.
    @Test func bodyWithoutContentLengthIsCutOffAtTheLimitAndLeavesNoTemporaryFile() async throws {
        let dir = TemporaryDirectory()
        let temporary = dir.file(".incoming")
        let receiver = MultipartFileReceiver(field: "file", temporaryPath: temporary)
        await #expect(throws: APIError.self) {
            _ = try await receiver.receive(RequestBody(buffer: Self.multipart(content: [UInt8](repeating: 3, count: 5000))), boundary: Self.boundary, limit: 1000)
        }
        #expect(!FileManager.default.fileExists(atPath: temporary))
    }

    @Test func missingFileFieldIs400NamingIt() async throws {
        let host = try await TestHost()
        let headers = try await headers(host)
        try await host.test { client in
            let response = try await client.execute(uri: "/upload", method: .post, headers: headers, body: Self.multipart(field: "document", content: [1]))
            #expect(response.status == .badRequest)
            #expect(response.object?["error"] as? String == "multipart field 'file' is required (a file part)")
        }
        #expect(storedFiles(host).filter { !$0.hasPrefix(".") } == [])
    }

    @Test func nonMultipartBodyIs415() async throws {
        let host = try await TestHost()
        let headers = try await headers(host, contentType: "application/json")
        try await host.test { client in
            let response = try await client.execute(uri: "/upload", method: .post, headers: headers, body: ByteBuffer(string: "{}"))
            #expect(response.status == .unsupportedMediaType)
            #expect(response.object?["ok"] as? Bool == false)
        }
    }

    @Test func uploadWithoutTokenIs401() async throws {
        let host = try await TestHost()
        try await host.test { client in
            let response = try await client.execute(uri: "/upload", method: .post, headers: [.contentType: "multipart/form-data; boundary=\(Self.boundary)"],
                                                    body: Self.multipart(content: [1]))
            #expect(response.status == .unauthorized)
        }
        #expect(storedFiles(host) == [])
    }
}

enum SHA256Hex {
    static func of(_ bytes: [UInt8]) -> String {
        let output = try? run("/usr/bin/env", ["sh", "-c", "printf '%s' \"$0\" | xxd -r -p | sha256sum", bytes.map { String(format: "%02x", $0) }.joined()])
        return String(output?.output.prefix(64) ?? "")
    }
}

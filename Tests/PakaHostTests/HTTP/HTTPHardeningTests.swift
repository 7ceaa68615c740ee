import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
@testable import PakaServer

/// What a hostile or careless client can do to the server: malformed bodies, oversize bodies
/// sent by clients that do not read early answers, slow headers, stalled bodies, huge headers,
/// too many connections. Each gets a clear answer; the host stays up.
@Suite struct HTTPHardeningTests {
    /// The exact body an OpenAPI fuzzer found: a non-ASCII byte in a part header name made
    /// multipart-kit 4.7.1 index out of range and killed the host (signal 4).
    static let fuzzedBody: [UInt8] = Array("--24f1e1aca864d5a513de79fe9a5b951b\r\n".utf8) + [0xC3, 0x96, 0xC2, 0x99]
        + Array("--24f1e1aca864d5a513de79fe9a5b951b--\r\n".utf8)

    @Test func multipartBodyThatKilledTheHostIsA400AndTheHostKeepsServing() async throws {
        let host = try await TestHost()
        var headers = try await host.bearer()
        headers[.contentType] = "multipart/form-data; boundary=24f1e1aca864d5a513de79fe9a5b951b"
        let sent = headers
        try await host.test { client in
            let response = try await client.execute(uri: "/upload", method: .post, headers: sent, body: ByteBuffer(bytes: Self.fuzzedBody))
            #expect(response.status == .badRequest)
            #expect((response.object?["error"] as? String)?.hasPrefix("multipart body is malformed") == true, "\(response.text)")
            let upload = try await client.execute(uri: "/upload", method: .post, headers: try await host.uploadHeaders(),
                                                  body: UploadRouteTests.multipart(content: Array("still here".utf8)))
            #expect(upload.status == .accepted, "\(upload.text)")
        }
    }

    // MARK: Real clients over a real socket

    /// Runs `Tests/Fixtures/http_clients.py CASE` against a live server of `host`; its one line.
    private func client(_ host: TestHost, _ name: String) async throws -> String {
        let token = try await host.token()
        return try await host.app.makeHTTPApplication().test(.live) { client in
            let port = try #require(client.port)
            return try await Self.python(["\(TestPaths.fixtures)/http_clients.py", String(port), token, name])
        }
    }

    static func python(_ arguments: [String]) async throws -> String {
        // Off the cooperative pool: the server under test needs those threads.
        try await runOffPool("/usr/bin/env", ["python3"] + arguments).output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `paka_http_refused_total{reason}` as the host's /metrics would show it.
    private func refused(_ host: TestHost, _ reason: String) -> Int {
        let prefix = #"paka_http_refused_total{reason="\#(reason)"} "#
        let line = host.app.metrics.registry.emitToString().split(separator: "\n").first { $0.hasPrefix(prefix) }
        return line.flatMap { Int($0.dropFirst(prefix.count)) } ?? 0
    }

    @Test func oversizeUploadFromPythonHTTPClientGetsItsAnswer() async throws {
        let host = try await TestHost(environment: ["PAKA_UPLOAD_LIMIT_BYTES": "1048576"])
        let answer = try await client(host, "python-upload-oversize")
        #expect(answer == "413")
    }

    /// A body 24 times the limit is far more than the socket buffers of both ends hold, so the
    /// client (which sends it all before reading, with no `Expect: 100-continue`) gets its 413
    /// only if the server reads the rest of the body after refusing it.
    @Test(arguments: ["urllib-upload-24mib", "http-client-upload-24mib"])
    func oversizeUploadFarBeyondTheSocketBuffersGetsIts413(pythonClient: String) async throws {
        let host = try await TestHost(environment: ["PAKA_UPLOAD_LIMIT_BYTES": "1048576"])
        let answer = try await client(host, pythonClient)
        #expect(answer == "413 upload is larger than the limit of 1048576 bytes (PAKA_UPLOAD_LIMIT_BYTES)")
    }

    /// Refusals that come before the route reads a byte (401 in the auth middleware) or in the
    /// middle of the body (a JSON route's 1 MiB cap) reach such a client too.
    @Test func everyEarlyRefusalOfALargeBodyReachesURLLib() async throws {
        let host = try await TestHost()
        let unauthorized = try await client(host, "urllib-upload-24mib-without-token")
        #expect(unauthorized.hasPrefix("401 missing Authorization: Bearer token"), "\(unauthorized)")
        let json = try await client(host, "urllib-json-24mib")
        #expect(json == "413 request body is larger than 1048576 bytes", "\(json)")
    }

    /// A client that sent `Expect: 100-continue` holds its body back until told to send it: a
    /// refusal must not wait for that body (it would come only after the client's own timeout,
    /// or never).
    @Test func oversizeUploadAnnouncedWithExpectContinueIsRefusedWithoutItsBody() async throws {
        let host = try await TestHost(environment: ["PAKA_UPLOAD_LIMIT_BYTES": "1048576"])
        let answer = try await client(host, "expect-continue-upload-24mib")
        #expect(answer == "413")
    }

    @Test func oversizeJSONFromPythonHTTPClientGetsItsAnswer() async throws {
        let host = try await TestHost()
        let answer = try await client(host, "python-json-oversize")
        #expect(answer == "413")
    }

    @Test func headersThatNeverFinishAreAnswered408() async throws {
        let host = try await TestHost(environment: ["PAKA_HTTP_HEADER_TIMEOUT_MS": "300"])
        let answer = try await client(host, "slow-headers")
        #expect(answer == "408")
        #expect(refused(host, "header_timeout") >= 1)
    }

    @Test func bodyThatStallsIsAnswered408() async throws {
        let host = try await TestHost(environment: ["PAKA_HTTP_BODY_TIMEOUT_MS": "300"])
        let answer = try await client(host, "stalled-body")
        #expect(answer == "408")
        #expect(refused(host, "body_timeout") >= 1)
    }

    @Test func headersLargerThanTheLimitAreAnswered431() async throws {
        let host = try await TestHost(environment: ["PAKA_HTTP_MAX_HEADER_BYTES": "8192"])
        let answer = try await client(host, "huge-header")
        #expect(answer == "431")
        #expect(refused(host, "header_too_large") >= 1)
    }

    @Test func connectionBeyondTheCapIsAnswered503() async throws {
        let host = try await TestHost(environment: ["PAKA_HTTP_MAX_CONNECTIONS": "2"])
        let answer = try await client(host, "too-many-connections")
        #expect(answer == "503")
        #expect(refused(host, "too_many_connections") >= 1)
    }
}

extension TestHost {
    func uploadHeaders() async throws -> HTTPFields {
        var headers = try await bearer()
        headers[.contentType] = "multipart/form-data; boundary=\(UploadRouteTests.boundary)"
        return headers
    }
}

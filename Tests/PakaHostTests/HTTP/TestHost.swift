import Foundation
import Hummingbird
import HummingbirdTesting
@testable import PakaPipeline
@testable import PakaPluginHost
@testable import PakaServer

/// A host with its own plugins.json, data folder and secret, driven through Hummingbird's
/// router test client (no port is bound). Kafka is not connected: events are processed
/// synchronously, which is the seed's fallback.
final class TestHost: Sendable {
    static let secret = "a-test-secret-that-is-32-bytes-long!"

    let dir = TemporaryDirectory()
    let app: PakaApplication
    let api: HTTPAPI

    var pluginsFile: String { dir.file("plugins.json") }
    var dataDirectory: String { dir.file("data") }

    /// `plugins`: the `plugins` array of plugins.json, as JSON text. `runsReplays`: false when
    /// the test runs the application's service group itself (which runs the replayer).
    init(plugins: String = "[]", environment extra: [String: String] = [:], runsReplays: Bool = true) async throws {
        let file = dir.write("plugins.json", #"{"pluginDir": ".", "plugins": \#(plugins)}"#)
        var env = ["JWT_SECRET": Self.secret, "PAKA_PLUGINS_FILE": file, "PAKA_DATA_DIR": dir.file("data")]
        env.merge(extra) { _, new in new }
        let environment = HostEnvironment(env)
        let configuration = try PakaConfiguration.load(path: file, environment: env)
        app = try await PakaApplication(environment: environment, configuration: configuration, logger: .test)
        api = HTTPAPI(app: app)
        // The dead-letter replayer is a service: replays run only while it does.
        let replayer = app.deadLetters
        replays = Task { if runsReplays { await replayer.run() } }
    }

    /// `app.deadLetters.run()`, as the service group would run it.
    let replays: Task<Void, Never>

    deinit {
        replays.cancel()
        app.registry.shutdown()
    }

    func token(sub: String = "alice", admin: Bool = false, scopes: Set<TokenScope>? = nil, lifetime: TimeInterval = 3600) async throws -> String {
        try await app.tokens.issue(subject: sub, admin: admin, scopes: scopes, lifetime: lifetime)
    }

    func bearer(scopes: Set<TokenScope>) async throws -> HTTPFields {
        [.authorization: "Bearer \(try await token(scopes: scopes))"]
    }

    func bearer(admin: Bool = false) async throws -> HTTPFields {
        [.authorization: "Bearer \(try await token(admin: admin))"]
    }

    /// Runs `body` against the router the server would run.
    func test<Value: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        try await Application(router: api.makeRouter(), logger: .test).test(.router, body)
    }
}

extension TestClientProtocol {
    func json(_ uri: String, method: HTTPRequest.Method = .post, headers: HTTPFields = [:], body: String) async throws -> TestResponse {
        var headers = headers
        headers[.contentType] = "application/json"
        return try await execute(uri: uri, method: method, headers: headers, body: ByteBuffer(string: body))
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    /// The body as a JSON object (fails the caller's #require when it is not one).
    var object: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] }

    /// The body re-encoded with sorted keys: compare whole bodies field for field.
    var canonical: String { Self.canonical(text) }

    static func canonical(_ json: String) -> String {
        guard let value = try? JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed]),
              let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        else { return "not JSON: \(json)" }
        return String(decoding: data, as: UTF8.self)
    }
}

import Foundation
import PakaPostgres
import Testing

/// A database of its own on the server `scripts/test` starts (DATABASE_URL), dropped when the
/// value goes: tests that count rows never see each other's.
final class ScratchDatabase: @unchecked Sendable {
    let url: String
    private let name: String
    private let serverURL: String

    init() throws {
        serverURL = try #require(ProcessInfo.processInfo.environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 },
                                 "DATABASE_URL is not set: run scripts/test (it starts PostgreSQL) or `source /tmp/pgenv`")
        name = "paka_test_\(UInt64.random(in: 0...UInt64.max) % 1_000_000_000_000)"
        try PostgresConnection(url: serverURL).execute("CREATE DATABASE \(name)")
        url = Self.url(serverURL, database: name)
    }

    deinit { _ = try? PostgresConnection(url: serverURL).execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }

    func connect() throws -> PostgresConnection { try PostgresConnection(url: url) }

    /// The same server, another database: URL form or libpq key=value form.
    static func url(_ url: String, database: String) -> String {
        if var components = URLComponents(string: url), components.scheme?.hasPrefix("postgres") == true {
            components.path = "/\(database)"
            return components.string!
        }
        return "\(url) dbname=\(database)"
    }
}

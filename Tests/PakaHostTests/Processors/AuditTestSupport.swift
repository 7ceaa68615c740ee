import Foundation
import PakaHost
import PakaPostgres
import Testing

/// A database of its own on the server `scripts/test` starts (DATABASE_URL), dropped when the
/// value goes: tests that count rows never see each other's.
final class AuditScratchDatabase: @unchecked Sendable {
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

/// A private PostgreSQL cluster for outage tests (never the shared server): initdb in /tmp,
/// owned by `postgres` when running as root (initdb refuses root), on a free port.
final class AuditThrowawayPostgres: @unchecked Sendable {
    let dir: String
    let port: Int
    var url: String { "postgresql://postgres@127.0.0.1:\(port)/postgres?connect_timeout=3" }
    private let bin: String

    init() throws {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        let newest = try #require(versions.sorted { $0.compare($1, options: .numeric) == .orderedAscending }.last,
                                  "PostgreSQL server binaries not found: apt-get install postgresql")
        bin = "/usr/lib/postgresql/\(newest)/bin"
        dir = "/tmp/paka-audit-pg-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if getuid() == 0 { _ = try run("/usr/bin/env", ["chown", "postgres:postgres", dir]) }
        let portProbe = try run("/usr/bin/env", ["python3", "-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])"])
        port = try #require(Int(portProbe.output.trimmingCharacters(in: .whitespacesAndNewlines)))
        let initdb = try asOwner("\(bin)/initdb", ["-D", dir, "-U", "postgres", "--auth=trust", "-E", "UTF8"])
        try #require(initdb.status == 0, "initdb failed: \(initdb.output)")
        try start()
    }

    func start() throws {
        // The server outlives pg_ctl: python's close_fds keeps it from inheriting (and holding
        // open forever) any descriptor of this test process, the output pipe included.
        let spawn = "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:], close_fds=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))"
        let pgctl = ["\(bin)/pg_ctl", "-D", dir, "-l", "\(dir)/server.log", "-w", "-t", "60", "-o",
                     "-p \(port) -k \(dir) -c listen_addresses=127.0.0.1 -c fsync=off", "start"]
        let result = try run("/usr/bin/env", ["python3", "-c", spawn] + (getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--"] : []) + pgctl)
        let log = (try? String(contentsOfFile: "\(dir)/server.log", encoding: .utf8)) ?? ""
        try #require(result.status == 0, "pg_ctl start failed: \(log)")
    }

    func stop() throws {
        let result = try asOwner("\(bin)/pg_ctl", ["-D", dir, "-m", "fast", "-w", "stop"])
        try #require(result.status == 0, "pg_ctl stop failed: \(result.output)")
    }

    deinit {
        _ = try? asOwner("\(bin)/pg_ctl", ["-D", dir, "-m", "immediate", "-w", "stop"])
        try? FileManager.default.removeItem(atPath: dir)
    }

    private func asOwner(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        getuid() == 0 ? try run("/usr/sbin/runuser", ["-u", "postgres", "--", tool] + arguments) : try run(tool, arguments)
    }
}

/// Audit events as the host hands them to plugins.
enum AuditFixtures {
    static func event(id: String = UUID().uuidString.lowercased(), data: String, time: Date = Date(), partition: Int32 = -1, attempt: UInt32 = 1) -> PluginEvent {
        let envelope = CloudEvent(id: id, source: "paka/test", type: "audit.event", time: time, subject: "s-\(id)", data: Array(data.utf8))
        return PluginEvent(id: id, topic: "audit.event", key: Array("s-\(id)".utf8), payload: envelope.jsonBytes, partition: partition, attempt: attempt)
    }

    /// A registry with the built audit `.so` loaded against `databaseURL`.
    static func registry(databaseURL: String, services: RecordingHostServices = RecordingHostServices()) throws -> (PluginRegistry, LoadedPlugin) {
        let registry = PluginRegistry(services: services, logger: .test)
        let refusals = registry.apply(PakaConfiguration(pluginDir: "/", plugins: [
            PluginEntry(name: "audit", library: TestPaths.builtPlugin("AuditLogger"), batchSize: 1000,
                        config: .object(["databaseURL": .string(databaseURL)])),
        ]))
        try #require(refusals.isEmpty, "audit refused: \(refusals.map(\.message))")
        return (registry, try #require(registry.active(named: "audit")))
    }
}

import Foundation
import Logging
import PakaPipeline
import PakaPluginHost

/// `scripts/bench`, audit section: rows/s stored by the audit `.so` through the host's plugin
/// call path (PluginRegistry → ABI → handle, batches of 500) against `COPY` of the same rows by
/// psql into an identical table, in a scratch database of the same server, in the same run.
enum AuditBench {
    static let batchSize = 500

    /// `--audit-plugin PATH` (the release libAuditLogger.so) and DATABASE_URL; skipped without them.
    static func run(arguments: [String], rows: Int, logger: Logger) throws {
        guard let plugin = arguments.firstIndex(of: "--audit-plugin").map({ arguments[$0 + 1] }) else { return }
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], !url.isEmpty else {
            print("\naudit benchmark skipped: DATABASE_URL is not set (scripts/bench starts a throwaway PostgreSQL)")
            return
        }
        try run(plugin: URL(fileURLWithPath: plugin).standardizedFileURL.path, databaseURL: url, rows: rows, logger: logger)
    }

    static func run(plugin: String, databaseURL: String, rows: Int, logger: Logger) throws {
        let database = "paka_bench_\(UInt32.random(in: 0...UInt32.max))"
        try psql(databaseURL, "CREATE DATABASE \(database)")
        defer { _ = try? psql(databaseURL, "DROP DATABASE IF EXISTS \(database) WITH (FORCE)") }
        let url = scratchURL(databaseURL, database)

        let start = Date(timeIntervalSince1970: 1_714_521_600)
        let events = (0..<rows).map { i -> PluginEvent in
            let data = #"{"action":"document.viewed","resource":"document","resourceId":\#(i),"details":{"note":"benchmark","n":\#(i)},"requestedBy":"bench"}"#
            let envelope = CloudEvent(source: "paka/bench", type: "audit.event", time: start.addingTimeInterval(Double(i)), subject: "\(i)", data: Array(data.utf8))
            return PluginEvent(id: envelope.id, topic: "audit.event", key: Array("\(i)".utf8), payload: envelope.jsonBytes, partition: Int32(i % 6))
        }

        let registry = PluginRegistry(services: HostServices(dataDirectory: NSTemporaryDirectory() + "paka-bench", logger: logger),
                                      options: .init(allowInsecurePermissions: true), logger: logger)
        defer { registry.shutdown() }
        let refusals = registry.apply(PakaConfiguration(pluginDir: "/", plugins: [
            PluginEntry(name: "audit", library: plugin, batchSize: batchSize, config: .object(["databaseURL": .string(url)])),
        ]))
        guard refusals.isEmpty, let audit = registry.active(named: "audit") else {
            throw BenchFailure("audit plugin refused: \(refusals.map(\.message))")
        }
        // Warm-up on a separate batch (connection, migrations), removed before timing.
        _ = audit.handle(Array(events.prefix(10)).map { var e = $0; e.id = UUID().uuidString.lowercased(); return e })
        try psql(url, "TRUNCATE audit_events")

        let hostStart = Date()
        for batch in stride(from: 0, to: rows, by: batchSize) {
            let outcomes = audit.handle(Array(events[batch..<min(batch + batchSize, rows)]))
            guard outcomes?.allSatisfy(\.isOK) == true else { throw BenchFailure("audit batch failed: \(String(describing: outcomes?.first { !$0.isOK }))") }
        }
        let hostSeconds = Date().timeIntervalSince(hostStart)

        // The same rows as CSV, into a table with the same columns, keys and indexes.
        try psql(url, "CREATE TABLE audit_copy (LIKE audit_events INCLUDING ALL)")
        let csv = NSTemporaryDirectory() + "paka-bench-audit-\(database).csv"
        defer { try? FileManager.default.removeItem(atPath: csv) }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var text = ""
        for (i, event) in events.enumerated() {
            let details = #"{"n": \#(i), "note": "benchmark"}"#.replacingOccurrences(of: "\"", with: "\"\"")
            text += "\(event.id),document.viewed,document,\(i),bench,\"\(details)\",\(formatter.string(from: start.addingTimeInterval(Double(i))))\n"
        }
        try text.write(toFile: csv, atomically: true, encoding: .utf8)
        let copyStart = Date()
        try psql(url, "\\copy audit_copy (event_id, action, resource, resource_id, actor, details, occurred_at) FROM '\(csv)' WITH (FORMAT csv)")
        let copySeconds = Date().timeIntervalSince(copyStart)

        let counts = try psql(url, "SELECT (SELECT count(*) FROM audit_events) || ' ' || (SELECT count(*) FROM audit_copy)")
        guard counts == "\(rows) \(rows)" else { throw BenchFailure("row counts differ: \(counts)") }
        let hostRate = Double(rows) / hostSeconds, copyRate = Double(rows) / copySeconds
        print("""

            | audit path (\(rows) rows, batches of \(batchSize)) | psql COPY (rows/s) | Paka host (rows/s) | ratio |
            |---|---|---|---|
            | audit.event → PluginRegistry → audit .so (one COPY per batch) vs \\copy | \(Int(copyRate)) | \(Int(hostRate)) | \(String(format: "%.2f", hostRate / copyRate)) |
            """)
    }

    /// Runs one command through psql and returns its unaligned output.
    @discardableResult
    static func psql(_ url: String, _ command: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", url, "-v", "ON_ERROR_STOP=1", "-qtAc", command]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchFailure("psql failed (\(process.terminationStatus)) running: \(command.prefix(80))") }
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func scratchURL(_ url: String, _ database: String) -> String {
        if var components = URLComponents(string: url), components.scheme?.hasPrefix("postgres") == true {
            components.path = "/\(database)"
            return components.string!
        }
        return "\(url) dbname=\(database)"
    }

    struct BenchFailure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

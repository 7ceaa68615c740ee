import Foundation
import PakaPipeline
import PakaPluginHost
import PakaPostgres
import Testing

/// PostgreSQL stopped under the report `.so` (a private throwaway server): RETRY while it is
/// down, then the same request makes exactly one report and one round of publishes.
@Suite struct ReportOutageTests {
    @Test func stoppedDatabaseAnswersRetryThenTheReportIsMadeOnceAfterRestart() async throws {
        // Blocking throughout (initdb, pg_ctl, libpq): on a thread of its own, not the cooperative pool.
        try await onOwnThread {
            let server = try ThrowawayPostgres()
            let files = TemporaryDirectory()
            let services = RecordingHostServices()
            let registry = PluginRegistry(services: services, logger: .test)
            defer { registry.shutdown() }
            #expect(registry.apply(PakaConfiguration(pluginDir: "/", plugins: [
                PluginEntry(name: "report", library: TestPaths.builtPlugin("ReportGenerator"),
                            config: .object(["databaseURL": .string(server.url), "dataDir": .string(files.path)])),
            ])).isEmpty)
            let report = try #require(registry.active(named: "report"))
            let id = UUID().uuidString.lowercased()
            func request(attempt: UInt32) -> PluginEvent {
                let envelope = CloudEvent(id: id, source: "paka/test", type: "report.generate", subject: "daily", data: Array(#"{"reportType":"daily"}"#.utf8))
                return PluginEvent(id: id, topic: "report.generate", key: Array("daily".utf8), payload: envelope.jsonBytes, attempt: attempt)
            }

            try server.stop()
            let outcome = try #require(report.handle([request(attempt: 1)])?.first)
            guard case .retry = outcome else { Issue.record("expected RETRY while PostgreSQL is down, got \(outcome)"); return }
            #expect(services.published.isEmpty)

            try server.start()
            #expect(report.handle([request(attempt: 2)]) == [.ok])
            #expect(report.handle([request(attempt: 3)]) == [.ok])  // redelivered after success: nothing again
            #expect(try PostgresConnection(url: server.url).execute("SELECT count(*) AS n FROM reports").value(0, "n") == "1")
            #expect(services.published.map(\.topic).sorted() == ["notification.send", "report.ready"])
        }
    }
}

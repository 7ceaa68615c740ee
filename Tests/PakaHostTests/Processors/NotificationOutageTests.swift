import Foundation
import PakaPipeline
import PakaPluginHost
import PakaPostgres
import Testing

/// PostgreSQL stopped under the notification `.so` (a private throwaway server): RETRY while it
/// is down, then the same event is delivered once after the restart — nothing lost, nothing twice.
@Suite struct NotificationOutageTests {
    private func event(_ title: String, attempt: UInt32 = 1) -> PluginEvent {
        let id = UUID().uuidString.lowercased()
        let envelope = CloudEvent(id: id, source: "test", type: "notification.send", subject: id,
                                  data: Array(#"{"title":"\#(title)","body":"b"}"#.utf8))
        return PluginEvent(id: id, topic: "notification.send", key: Array(id.utf8), payload: envelope.jsonBytes, partition: 0, offset: 0, attempt: attempt)
    }

    @Test func stoppedDatabaseAnswersRetryThenTheEventIsDeliveredOnceAfterRestart() async throws {
        // Blocking throughout (initdb, pg_ctl, libpq): on a thread of its own, not the cooperative pool.
        try await onOwnThread {
            let server = try ThrowawayPostgres()
            let services = RecordingHostServices()
            let registry = PluginRegistry(services: services, logger: .test)
            defer { registry.shutdown() }
            // No channel configured: the `log` channel, so the test needs no outside service.
            #expect(registry.apply(PakaConfiguration(pluginDir: "/", plugins: [
                PluginEntry(name: "notification", library: TestPaths.builtPlugin("NotificationProcessor"),
                            config: .object(["databaseURL": .string(server.url)])),
            ])).isEmpty)
            let plugin = try #require(registry.active(named: "notification"))
            #expect(plugin.handle([event("before")]) == [.ok])

            try server.stop()
            var during = event("during")
            let outcome = try #require(plugin.handle([during])?.first)
            guard case .retry(let reason) = outcome else { Issue.record("expected RETRY during the outage, got \(outcome)"); return }
            #expect(reason.contains("PostgreSQL unavailable"))

            try server.start()
            during.attempt = 2
            #expect(plugin.handle([during]) == [.ok])
            during.attempt = 3
            #expect(plugin.handle([during]) == [.ok])  // a redelivery after success sends nothing again
            let rows = try PostgresConnection(url: server.url).execute("SELECT title, status FROM notifications ORDER BY title")
            #expect(rows.rows == [["before", "logged"], ["during", "logged"]])
            #expect(services.published.filter { $0.topic == "notification.sent" }.count == 2)
        }
    }
}

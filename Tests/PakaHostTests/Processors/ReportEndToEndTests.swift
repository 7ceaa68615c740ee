import Foundation
import Hummingbird
import HummingbirdTesting
@testable import PakaPipeline
@testable import PakaPluginHost
import PakaPostgres
import Testing

/// The seed's audit and report flows through the HTTP API with Kafka not connected: the host
/// hands the events to the `.so` files synchronously, and they reach PostgreSQL.
@Suite struct ReportEndToEndTests {
    @Test func auditAndReportRequestsThroughTheAPIReachPostgreSQLAndTheReportIsServed() async throws {
        let database = try ScratchDatabase()
        let plugins = """
            [{"name": "audit", "library": "\(TestPaths.builtPlugin("AuditLogger"))", "config": {"databaseURL": "${TEST_DATABASE_URL}"}},
             {"name": "report", "library": "\(TestPaths.builtPlugin("ReportGenerator"))", "config": {"databaseURL": "${TEST_DATABASE_URL}", "dataDir": "${PAKA_DATA_DIR}"}}]
            """
        let host = try await TestHost(plugins: plugins, environment: ["TEST_DATABASE_URL": database.url])
        let headers = try await host.bearer()
        try await host.test { client in
            let audit = try await client.json("/kafka/test/audit", headers: headers,
                                              body: #"{"action": "test_action", "resource": "document", "resourceId": 123, "details": {"note": "Testing Kafka audit"}}"#)
            #expect(audit.status == .ok)
            let report = try await client.json("/kafka/test/report", headers: headers, body: #"{"reportType": "weekly"}"#)
            #expect(report.status == .ok)
        }
        let db = try database.connect()
        let row = try db.execute("SELECT action, resource, resource_id, actor, details->>'note' AS note FROM audit_events")
        #expect(row.rows == [["test_action", "document", "123", "alice", "Testing Kafka audit"]])
        let reports = try db.execute("SELECT id, report_type, summary FROM reports")
        try #require(reports.rows.count == 1)
        let id = try #require(reports.value(0, "id"))
        #expect(reports.value(0, "report_type") == "weekly")
        #expect(reports.value(0, "summary")?.contains("Audit events: 1 — top actions: test_action 1") == true)

        try await host.test { client in
            let page = try await client.execute(uri: "/plugins/report/reports/\(id)", method: .get, headers: headers)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.text.contains(#"data-action="test_action" data-count="1""#))
            let events = try await client.execute(uri: "/plugins/audit/events?action=test_action", method: .get, headers: headers)
            #expect(events.status == .ok)
            let list = try #require(try JSONSerialization.jsonObject(with: Data(events.text.utf8)) as? [[String: Any]])
            #expect(list.map { $0["resourceId"] as? String } == ["123"])
            let unknown = try await client.execute(uri: "/plugins/report/reports/\(UUID().uuidString)", method: .get, headers: headers)
            #expect(unknown.status == .notFound)
        }
    }
}

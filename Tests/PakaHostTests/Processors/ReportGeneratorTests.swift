import Foundation
import PakaPipeline
import PakaPluginHost
import PakaPostgres
import Testing

/// The report `.so` in a host registry: figures from PostgreSQL, HTML and text files, the
/// `reports` row, `report.ready` and `notification.send`, idempotent on the request's id.
@Suite struct ReportGeneratorTests {
    let files = TemporaryDirectory()

    private func loadReport(_ database: ScratchDatabase, _ services: RecordingHostServices) throws -> (PluginRegistry, LoadedPlugin) {
        let registry = PluginRegistry(services: services, logger: .test)
        let refusals = registry.apply(PakaConfiguration(pluginDir: "/", plugins: [
            PluginEntry(name: "report", library: TestPaths.builtPlugin("ReportGenerator"),
                        config: .object(["databaseURL": .string(database.url), "dataDir": .string(files.path)])),
        ]))
        try #require(refusals.isEmpty, "report refused: \(refusals.map(\.message))")
        return (registry, try #require(registry.active(named: "report")))
    }

    private func request(id: String = UUID().uuidString.lowercased(), _ data: String, time: Date = Date(), attempt: UInt32 = 1) -> PluginEvent {
        let envelope = CloudEvent(id: id, source: "paka/test", type: "report.generate", time: time, subject: "weekly", data: Array(data.utf8))
        return PluginEvent(id: id, topic: "report.generate", key: Array("weekly".utf8), payload: envelope.jsonBytes, attempt: attempt)
    }

    private static func at(_ day: Int, hour: Int = 12) -> Date {  // 2001-03-<day>
        Date(timeIntervalSince1970: 983_404_800 + Double(day - 1) * 86_400 + Double(hour) * 3600)
    }

    /// Audit rows through the audit `.so`; documents and notifications as their processors' contract says.
    private func seed(_ database: ScratchDatabase) throws {
        let (registry, audit) = try AuditFixtures.registry(databaseURL: database.url)
        defer { registry.shutdown() }
        let seeds = [(5, "login"), (5, "login"), (7, "view"), (7, "view"), (7, "view"), (9, "<script>alert(1)</script>"), (4, "too-early"), (12, "too-late")]
        let events = seeds.map { AuditFixtures.event(data: #"{"action":"\#($0.1)","resource":"document"}"#, time: Self.at($0.0)) }
        #expect(audit.handle(events) == Array(repeating: .ok, count: events.count))
        let db = try database.connect()
        try db.execute("CREATE TABLE documents (id uuid PRIMARY KEY, event_id uuid UNIQUE, status text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())")
        try db.execute("CREATE TABLE notifications (event_id uuid PRIMARY KEY, channel text NOT NULL, status text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())")
        for (status, day) in [("embedded", 6), ("embedded", 8), ("failed", 8), ("parsed", 20)] {
            try db.execute("INSERT INTO documents (id, status, created_at) VALUES (gen_random_uuid(), $1, $2::timestamptz)", [status, Self.iso(Self.at(day))])
        }
        for (status, day) in [("sent", 6), ("sent", 10), ("logged", 10), ("failed", 2)] {
            try db.execute("INSERT INTO notifications (event_id, channel, status, created_at) VALUES (gen_random_uuid(), 'log', $1, $2::timestamptz)", [status, Self.iso(Self.at(day))])
        }
    }

    static func iso(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

    @Test func weeklyReportIsRecordedWrittenAndPublished() throws {
        let database = try ScratchDatabase()
        try seed(database)
        let services = RecordingHostServices()
        let (registry, report) = try loadReport(database, services)
        defer { registry.shutdown() }
        let event = request(#"{"reportType":"weekly","requestedBy":"alice","periodStart":"2001-03-05T00:00:00Z","periodEnd":"2001-03-12T00:00:00Z"}"#)
        #expect(report.handle([event]) == [.ok])

        let rows = try database.connect().execute("SELECT id, report_type, period_start = '2001-03-05T00:00:00Z' AS s, period_end = '2001-03-12T00:00:00Z' AS e, summary, path FROM reports")
        try #require(rows.rows.count == 1)
        let id = try #require(rows.value(0, "id"))
        #expect(rows.value(0, "report_type") == "weekly")
        #expect(rows.value(0, "s") == "t" && rows.value(0, "e") == "t")
        let summary = try #require(rows.value(0, "summary"))
        #expect(summary == """
            Weekly report, 2001-03-05T00:00:00Z – 2001-03-12T00:00:00Z (UTC)
            Audit events: 6 — top actions: view 3, login 2, <script>alert(1)</script> 1
            Documents: 3 (embedded 2, failed 1)
            Notifications: 3 (logged 1, sent 2)
            """)
        let path = try #require(rows.value(0, "path"))
        #expect(path == "\(files.path)/reports/\(id).html")
        #expect(try String(contentsOfFile: "\(files.path)/reports/\(id).txt", encoding: .utf8) == summary + "\n")

        let html = try String(contentsOfFile: path, encoding: .utf8)
        #expect(html.contains(#"<span id="audit-total">6</span>"#))
        #expect(html.contains(#"<span id="documents-total">3</span>"#))
        #expect(html.contains(#"<span id="notifications-total">3</span>"#))
        let bars = ["05": 2, "06": 0, "07": 3, "08": 0, "09": 1, "10": 0, "11": 0]
        for (day, count) in bars { #expect(html.contains(#"data-day="2001-03-\#(day)" data-count="\#(count)""#)) }
        #expect(!html.contains(#"data-day="2001-03-12""#) && !html.contains(#"data-day="2001-03-04""#))
        #expect(html.contains(#"data-action="view" data-count="3""#))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(!html.contains("<script"))
        #expect(html.contains("<svg"))

        let published = services.published
        #expect(published.map(\.topic) == ["report.ready", "notification.send"])
        let ready = try #require(try JSONSerialization.jsonObject(with: Data(published[0].data.utf8)) as? [String: String])
        #expect(ready["reportId"] == id && ready["reportType"] == "weekly" && ready["location"] == path && ready["summary"] == summary)
        #expect(ready["periodStart"] == "2001-03-05T00:00:00Z" && ready["periodEnd"] == "2001-03-12T00:00:00Z")
        let notification = try #require(try JSONSerialization.jsonObject(with: Data(published[1].data.utf8)) as? [String: String])
        #expect(notification["body"] == summary && notification["attachment"] == path && notification["channel"] == nil)
        #expect(notification["title"] == "Weekly report 2001-03-05 – 2001-03-12")
    }

    @Test func redeliveryMakesNoSecondReportAndPublishesNothingAgain() throws {
        let database = try ScratchDatabase()
        let services = RecordingHostServices()
        let (registry, report) = try loadReport(database, services)
        defer { registry.shutdown() }
        let event = request(#"{"reportType":"daily"}"#)
        #expect(report.handle([event]) == [.ok])
        var again = event
        again.attempt = 2
        #expect(report.handle([again]) == [.ok])
        #expect(report.handle([again]) == [.ok])
        #expect(try database.connect().execute("SELECT count(*) AS n FROM reports").value(0, "n") == "1")
        #expect(services.published.count == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(files.path)/reports").count == 2)  // .html + .txt
    }

    @Test func withoutAnExplicitPeriodTheReportEndsWhenRequestedAndMissingTablesAreNoError() throws {
        let database = try ScratchDatabase()
        let (registry, report) = try loadReport(database, RecordingHostServices())
        defer { registry.shutdown() }
        #expect(report.handle([request(#"{"reportType":"monthly"}"#, time: Self.at(15))]) == [.ok])
        let row = try database.connect().execute("SELECT summary FROM reports")
        #expect(row.value(0, "summary") == """
            Monthly report, 2001-02-15T12:00:00Z – 2001-03-15T12:00:00Z (UTC)
            Audit events: none recorded yet (no audit_events table)
            Documents: none recorded yet (no documents table)
            Notifications: none recorded yet (no notifications table)
            """)
    }

    @Test(arguments: [
        (#"{"reportType":"yearly"}"#, "'reportType' must be one of daily, weekly, monthly"),
        (#"{"reportType":"daily","periodStart":"soon"}"#, "'periodStart' must be an ISO-8601 date or time (e.g. 2024-05-01T00:00:00Z)"),
        (#"{"reportType":"daily","periodStart":"2024-05-02","periodEnd":"2024-05-01"}"#, "periodStart must be before periodEnd"),
    ])
    func malformedRequestFailsWithTheReason(data: String, reason: String) throws {
        let database = try ScratchDatabase()
        let (registry, report) = try loadReport(database, RecordingHostServices())
        defer { registry.shutdown() }
        #expect(report.handle([request(id: "r1", data)]) == [.fail("report request r1: \(reason)")])
    }

    @Test func routeServesTheHTMLAndUnknownIdsAre404() throws {
        let database = try ScratchDatabase()
        let (registry, report) = try loadReport(database, RecordingHostServices())
        defer { registry.shutdown() }
        #expect(report.handle([request(#"{"reportType":"weekly"}"#)]) == [.ok])
        let row = try database.connect().execute("SELECT id, path FROM reports")
        let id = try #require(row.value(0, "id")), path = try #require(row.value(0, "path"))

        let found = try #require(report.serveHTTP(PluginHTTPRequest(method: "GET", path: "/reports/\(id)")))
        #expect(found.status == 200)
        #expect(found.contentType == "text/html; charset=utf-8")
        #expect(found.body == Array(try Data(contentsOf: URL(fileURLWithPath: path))))

        for unknown in [UUID().uuidString.lowercased(), "not-a-uuid"] {
            let missing = try #require(report.serveHTTP(PluginHTTPRequest(method: "GET", path: "/reports/\(unknown)")))
            #expect(missing.status == 404)
            #expect(missing.contentType == "application/json")
            let body = try JSONSerialization.jsonObject(with: Data(missing.body)) as? [String: Any]
            #expect(body?["ok"] as? Bool == false)
            #expect((body?["error"] as? String)?.hasPrefix("no report with id") == true)
        }
    }
}

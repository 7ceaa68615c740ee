import Foundation
import PakaPluginSDK
import PakaPostgres

/// Builds a report of what the processors recorded in a period (audit events, documents,
/// notifications), writes it as HTML with inline charts plus a text summary, records it in
/// `reports`, and publishes `report.ready` and a `notification.send` carrying the summary and
/// the HTML, so it reaches Telegram. Idempotent on the request's event id.
///
/// Needs `databaseURL` (refuses to start without it); files go to config `dataDir` or, when
/// unset, the host's data folder for this plugin, under `reports/`.
public final class ReportGenerator: PakaPlugin, PakaHTTPServing, PakaHealthReporting {
    public static let name = "report"
    public static let version = "1.0.0"
    public static let topics = ["report.generate"]
    public static let consumerGroup: String? = "paka-report-generator"

    private let host: PluginHost
    private let store: ReportStore
    private let folder: String

    public init(host: PluginHost, config: PluginConfig) throws {
        guard let url = config["databaseURL"] else {
            throw PluginError.fail("report needs DATABASE_URL: set databaseURL in its plugins.json config (the shipped plugins.json reads ${DATABASE_URL})")
        }
        self.host = host
        store = ReportStore(url: url)
        // Absolute: the path travels in events to other processors with other working folders.
        let base: String
        do {
            base = URL(fileURLWithPath: try config["dataDir"] ?? host.dataDirectory).standardizedFileURL.path
        } catch {
            throw PluginError.fail("report has no folder for its reports: \(error) (set dataDir or PAKA_DATA_DIR to a writable folder)")
        }
        folder = base + "/reports"
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw PluginError.fail("report cannot create its folder \(folder): \(error.localizedDescription) (set dataDir or PAKA_DATA_DIR to a writable folder)")
        }
        if let problem = store.problem() {
            host.log(.warning, "\(problem); report requests will be retried until it is reachable")
        }
    }

    public func handle(_ event: Event) throws {
        let request: ReportRequest
        do throws(ReportRequest.Malformed) { request = try ReportRequest(event) } catch { throw PluginError.fail(error.reason) }
        do {
            try generate(event, request)
        } catch let error as PostgresError where error.isEventProblem {
            throw PluginError.fail("report request \(event.id) refused by PostgreSQL: \(error)")
        } catch let error as PostgresError {
            throw PluginError.retry("PostgreSQL unavailable: \(error.message)")
        }
    }

    private func generate(_ event: Event, _ request: ReportRequest) throws {
        let (eventUUID, id, existing) = try store.identify(eventId: event.id)
        if existing?.published == true {
            host.log(.info, "report \(id) for event \(event.id) was already generated and published")
            return
        }
        let figures = try ReportFigures.load(from: try store.connection(), start: request.start, end: request.end)
        let summary = ReportSummary.text(request, figures)
        let html = "\(folder)/\(id).html"
        do {
            try Data(ReportHTML.render(id: id, request, figures, summary: summary).utf8).write(to: URL(fileURLWithPath: html), options: .atomic)
            try Data((summary + "\n").utf8).write(to: URL(fileURLWithPath: "\(folder)/\(id).txt"), options: .atomic)
        } catch {
            // A full or read-only disk is the operator's to fix, not the request's fault.
            throw PluginError.retry("cannot write report \(id) to \(folder): \(error.localizedDescription)")
        }
        try store.record(id: id, eventUUID: eventUUID, request, summary: summary, path: html)
        try host.publish(topic: "report.ready", key: id, data: Ready(
            reportId: id, reportType: request.kind.rawValue, periodStart: request.start, periodEnd: request.end,
            summary: summary, location: html, url: "/plugins/report/reports/\(id)", requestedBy: request.requestedBy))
        let title = "\(request.kind.rawValue.capitalized) report \(request.start.prefix(10)) – \(request.end.prefix(10))"
        try host.publish(topic: "notification.send", key: id, data: Notification(
            title: title, body: summary, attachment: html, requestedBy: request.requestedBy ?? "report"))
        try store.markPublished(id: id)
        host.log(.info, "report \(id) (\(request.kind.rawValue), \(request.start) – \(request.end)) written to \(html)")
    }

    private struct Ready: Encodable {
        let reportId, reportType, periodStart, periodEnd, summary, location, url: String
        let requestedBy: String?
    }

    /// No channel: the notification processor's configured default applies.
    private struct Notification: Encodable { let title, body, attachment, requestedBy: String }

    public func serve(_ request: HTTPRequest) -> HTTPResponse {
        let parts = request.path.split(separator: "/")
        guard parts.count == 2, parts[0] == "reports" else {
            return .json(#"{"ok":false,"error":"not found: the report plugin serves GET /plugins/report/reports/{id}"}"#, status: 404)
        }
        guard request.method == "GET" else { return .json(#"{"ok":false,"error":"method not allowed: use GET"}"#, status: 405) }
        let id = String(parts[1]).lowercased()
        let notFound = HTTPResponse.json(#"{"ok":false,"error":"no report with id \#(id.filter { $0.isHexDigit || $0 == "-" })"}"#, status: 404)
        guard UUID(uuidString: id) != nil else { return notFound }
        do {
            guard let path = try store.path(of: id) else { return notFound }
            guard let html = FileManager.default.contents(atPath: path) else {
                return .json(#"{"ok":false,"error":"report \#(id) is recorded but its file is missing from the data folder"}"#, status: 404)
            }
            return HTTPResponse(status: 200, contentType: "text/html; charset=utf-8", body: Array(html))
        } catch {
            return .json(#"{"ok":false,"error":"reports unavailable: PostgreSQL is unreachable"}"#, status: 503)
        }
    }

    public func healthProblem() -> String? { store.problem() }
}

@_cdecl("paka_plugin_entry")
public func pakaPluginEntry() -> UnsafeRawPointer { PluginExport.entry(for: ReportGenerator.self) }

import Foundation

/// The plain-text summary: the body of the Telegram message and the `.txt` beside the HTML.
enum ReportSummary {
    static func text(_ request: ReportRequest, _ figures: ReportFigures) -> String {
        var lines = ["\(request.kind.rawValue.capitalized) report, \(request.start) – \(request.end) (UTC)"]
        if let total = figures.auditTotal {
            let top = figures.topActions.prefix(5).map { "\($0.label) \($0.count)" }.joined(separator: ", ")
            lines.append("Audit events: \(total)" + (top.isEmpty ? "" : " — top actions: \(top)"))
        } else {
            lines.append("Audit events: none recorded yet (no audit_events table)")
        }
        lines.append(line("Documents", figures.documentsByStatus, table: "documents"))
        lines.append(line("Notifications", figures.notificationsByStatus, table: "notifications"))
        return lines.joined(separator: "\n")
    }

    private static func line(_ title: String, _ counts: [ReportFigures.Count]?, table: String) -> String {
        guard let counts else { return "\(title): none recorded yet (no \(table) table)" }
        let parts = counts.map { "\($0.label) \($0.count)" }.joined(separator: ", ")
        return "\(title): \(counts.total)" + (parts.isEmpty ? "" : " (\(parts))")
    }
}

import Foundation

/// The report as one self-contained HTML page: no script, no external asset, every value escaped.
enum ReportHTML {
    static func render(id: String, _ request: ReportRequest, _ figures: ReportFigures, summary: String) -> String {
        let title = "\(request.kind.rawValue.capitalized) report"
        var body = """
            <h1>\(escape(title))</h1>
            <p class="period">\(escape(request.start)) – \(escape(request.end)) (UTC) · report <code>\(escape(id))</code>\
            \(request.requestedBy.map { " · requested by \(escape($0))" } ?? "")</p>
            <pre class="summary">\(escape(summary))</pre>

            """
        if let total = figures.auditTotal {
            body += """
                <h2>Audit events: <span id="audit-total">\(total)</span></h2>
                <h3>Events per day</h3>
                \(ReportChart.eventsPerDay(figures.eventsPerDay))
                <h3>Top actions</h3>
                \(ReportChart.topActions(figures.topActions))

                """
        } else {
            body += "<h2>Audit events</h2><p>None recorded yet (no audit_events table).</p>\n"
        }
        body += table("Documents", id: "documents", figures.documentsByStatus)
        body += table("Notifications", id: "notifications", figures.notificationsByStatus)
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escape(title)) \(escape(request.start))</title>
            <style>
            body{font-family:system-ui,sans-serif;max-width:860px;margin:2em auto;padding:0 1em;color:#222}
            .period{color:#555} pre.summary{background:#f5f5f5;padding:1em;white-space:pre-wrap}
            table{border-collapse:collapse} td,th{border:1px solid #ccc;padding:.3em .8em;text-align:left}
            td.count{text-align:right} svg text{font-size:11px;fill:#333} rect.bar{fill:#3b7dd8}
            </style></head><body>
            \(body)</body></html>

            """
    }

    private static func table(_ title: String, id: String, _ counts: [ReportFigures.Count]?) -> String {
        guard let counts else {
            return "<h2>\(title)</h2><p>None recorded yet (no \(id) table).</p>\n"
        }
        let rows = counts.map { "<tr><td>\(escape($0.label))</td><td class=\"count\" data-status=\"\(escape($0.label))\">\($0.count)</td></tr>" }
        return """
            <h2>\(title): <span id="\(id)-total">\(counts.total)</span></h2>
            <table id="\(id)-by-status"><tr><th>status</th><th>count</th></tr>\(rows.joined())</table>

            """
    }

    /// Text and attribute safe: the values come from events anyone with a token can send.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}

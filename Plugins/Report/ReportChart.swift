/// Inline SVG bar charts (no script, no external asset).
enum ReportChart {
    private static let width = 720.0

    /// One vertical bar per UTC day; each bar carries its day and count as data attributes.
    static func eventsPerDay(_ days: [ReportFigures.Count]) -> String {
        guard !days.isEmpty else { return "<p>No days in the period.</p>" }
        let height = 220.0, top = 20.0, bottom = 40.0, plot = height - top - bottom
        let peak = Double(max(days.map(\.count).max() ?? 0, 1))
        let slot = width / Double(days.count)
        let labelEvery = max(1, Int((Double(days.count) / 16).rounded(.up)))
        var parts: [String] = []
        for (index, day) in days.enumerated() {
            let barHeight = plot * Double(day.count) / peak
            let x = Double(index) * slot
            let label = ReportHTML.escape(day.label)
            parts.append("""
                <rect class="bar" x="\(fmt(x + slot * 0.1))" y="\(fmt(top + plot - barHeight))" width="\(fmt(slot * 0.8))" \
                height="\(fmt(barHeight))" data-day="\(label)" data-count="\(day.count)"><title>\(label): \(day.count)</title></rect>
                """)
            if day.count > 0 && days.count <= 31 {
                parts.append("<text x=\"\(fmt(x + slot / 2))\" y=\"\(fmt(top + plot - barHeight - 4))\" text-anchor=\"middle\">\(day.count)</text>")
            }
            if index % labelEvery == 0 {
                parts.append("<text x=\"\(fmt(x + slot / 2))\" y=\"\(fmt(height - bottom + 16))\" text-anchor=\"middle\">\(ReportHTML.escape(String(day.label.suffix(5))))</text>")
            }
        }
        return svg(height: height, label: "Audit events per day", parts)
    }

    /// One horizontal bar per action, most frequent first.
    static func topActions(_ actions: [ReportFigures.Count]) -> String {
        guard !actions.isEmpty else { return "<p>No audit events in the period.</p>" }
        let row = 24.0, labelWidth = 220.0, countWidth = 60.0
        let peak = Double(max(actions.map(\.count).max() ?? 0, 1))
        var parts: [String] = []
        for (index, action) in actions.enumerated() {
            let y = Double(index) * row
            let length = (width - labelWidth - countWidth) * Double(action.count) / peak
            let shown = action.label.count > 32 ? String(action.label.prefix(31)) + "…" : action.label
            let label = ReportHTML.escape(action.label)
            parts.append("""
                <text x="\(fmt(labelWidth - 8))" y="\(fmt(y + 16))" text-anchor="end">\(ReportHTML.escape(shown))</text>\
                <rect class="bar" x="\(fmt(labelWidth))" y="\(fmt(y + 4))" width="\(fmt(length))" height="\(fmt(row - 8))" \
                data-action="\(label)" data-count="\(action.count)"><title>\(label): \(action.count)</title></rect>\
                <text x="\(fmt(labelWidth + length + 6))" y="\(fmt(y + 16))">\(action.count)</text>
                """)
        }
        return svg(height: Double(actions.count) * row + 4, label: "Top actions", parts)
    }

    private static func svg(height: Double, label: String, _ parts: [String]) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="\(label)" width="\(fmt(width))" height="\(fmt(height))" \
        viewBox="0 0 \(fmt(width)) \(fmt(height))">
        \(parts.joined(separator: "\n"))
        </svg>
        """
    }

    private static func fmt(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}

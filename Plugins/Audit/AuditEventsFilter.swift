import PakaPluginSDK
import Foundation

/// The query of `GET /plugins/audit/events`, validated: every mistake is named for the caller.
struct AuditEventsFilter {
    static let defaultLimit = 50
    static let maxLimit = 500
    static let known = ["resource", "action", "resourceId", "actor", "since", "limit"]

    var resource: String?
    var action: String?
    var resourceId: String?
    var actor: String?
    /// ISO-8601, normalised to UTC.
    var since: String?
    var limit = defaultLimit

    struct Invalid: Error { let message: String }

    init(query: [String: String]) throws(Invalid) {
        // A misspelt filter would silently list everything: refuse it instead.
        if let unknown = query.keys.sorted().first(where: { !Self.known.contains($0) }) {
            throw Invalid(message: "unknown parameter '\(unknown)' (known: \(Self.known.joined(separator: ", ")))")
        }
        func value(_ name: String) -> String? { query[name].flatMap { $0.isEmpty ? nil : $0 } }
        resource = value("resource")
        action = value("action")
        resourceId = value("resourceId")
        actor = value("actor")
        if let text = value("since") {
            guard let date = Self.parseDate(text) else {
                throw Invalid(message: "since must be an ISO-8601 date or time, e.g. 2024-05-01 or 2024-05-01T12:00:00Z; got '\(text)'")
            }
            since = Self.sinceText(date)
        }
        if let text = value("limit") {
            guard let number = Int(text), (1...Self.maxLimit).contains(number) else {
                throw Invalid(message: "limit must be an integer from 1 to \(Self.maxLimit); got '\(text)'")
            }
            limit = number
        }
    }

    static func parseDate(_ text: String) -> Date? { ISO8601.date(from: text) }

    /// `since` as PostgreSQL gets it: UTC, to the millisecond, through Foundation's ISO-8601 format
    /// style like every other time here. The style truncates to the millisecond, and a parsed
    /// `.123` is often a `Double` a hair below it, which would print `.122` and widen the filter by
    /// 1 ms: so the date is rounded to its nearest millisecond and the middle of that millisecond
    /// is formatted, which prints it exactly (sub-millisecond input rounds, as it always did).
    static func sinceText(_ date: Date) -> String {
        let millisecond = (date.timeIntervalSince1970 * 1000).rounded()
        return ISO8601.string(from: Date(timeIntervalSince1970: (millisecond + 0.5) / 1000), fractionalSeconds: true)
    }
}

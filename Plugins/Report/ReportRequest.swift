import Foundation
import PakaPluginSDK

/// One `report.generate`, checked: the type and the period it covers.
struct ReportRequest {
    enum Kind: String, CaseIterable { case daily, weekly, monthly }

    let kind: Kind
    private(set) var periodStart: Date
    private(set) var periodEnd: Date
    let requestedBy: String?

    /// Longest explicit period: one bar per day must stay readable.
    static let maxDays = 366

    struct Malformed: Error { let reason: String }

    /// Without an explicit period the report covers the day, week or month that ends when the
    /// request was made (the envelope's `time`), so a redelivery describes the same period.
    init(_ event: Event, now: Date = Date()) throws(Malformed) {
        let prefix = "report request \(event.id)"
        // The host parsed this envelope before handing it over; the refusal names the event,
        // which is what an operator needs (the parser's byte offset would add nothing).
        guard let root = try? JSONSerialization.jsonObject(with: Data(event.envelope)) as? [String: Any] else {
            throw Malformed(reason: "\(prefix): envelope is not a JSON object")
        }
        guard let data = root["data"] as? [String: Any] else {
            throw Malformed(reason: "\(prefix): 'data' is missing or not an object")
        }
        let choices = Kind.allCases.map(\.rawValue).joined(separator: ", ")
        guard let type = data["reportType"] as? String, let kind = Kind(rawValue: type) else {
            throw Malformed(reason: "\(prefix): 'reportType' must be one of \(choices)")
        }
        func date(_ field: String, in object: [String: Any]) throws(Malformed) -> Date? {
            guard let value = object[field], !(value is NSNull) else { return nil }
            guard let text = value as? String, let date = Self.parseDate(text) else {
                throw Malformed(reason: "\(prefix): '\(field)' must be an ISO-8601 date or time (e.g. 2024-05-01T00:00:00Z)")
            }
            return date
        }
        let explicitStart = try date("periodStart", in: data)
        let explicitEnd = try date("periodEnd", in: data)
        let requested = try date("time", in: root) ?? now
        switch (explicitStart, explicitEnd) {
        case let (start?, end?): (periodStart, periodEnd) = (start, end)
        case let (start?, nil): (periodStart, periodEnd) = (start, Self.step(kind, from: start, by: 1))
        case let (nil, end?): (periodStart, periodEnd) = (Self.step(kind, from: end, by: -1), end)
        case (nil, nil): (periodStart, periodEnd) = (Self.step(kind, from: requested, by: -1), requested)
        }
        // Whole seconds, widened outward: the printed period and the query must agree, and an
        // event in the request's own second still counts.
        periodStart = Date(timeIntervalSince1970: periodStart.timeIntervalSince1970.rounded(.down))
        periodEnd = Date(timeIntervalSince1970: periodEnd.timeIntervalSince1970.rounded(.up))
        guard periodStart < periodEnd else {
            throw Malformed(reason: "\(prefix): periodStart must be before periodEnd")
        }
        guard periodEnd.timeIntervalSince(periodStart) <= Double(Self.maxDays) * 86_400 else {
            throw Malformed(reason: "\(prefix): the period may span at most \(Self.maxDays) days")
        }
        self.kind = kind
        requestedBy = data["requestedBy"] as? String
    }

    private static func step(_ kind: Kind, from date: Date, by sign: Int) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let component: (Calendar.Component, Int) = switch kind {
        case .daily: (.day, 1)
        case .weekly: (.day, 7)
        case .monthly: (.month, 1)
        }
        return calendar.date(byAdding: component.0, value: sign * component.1, to: date)!
    }

    static func parseDate(_ text: String) -> Date? { ISO8601.date(from: text) }

    static func iso(_ date: Date) -> String { ISO8601.string(from: date) }

    var start: String { Self.iso(periodStart) }
    var end: String { Self.iso(periodEnd) }
}

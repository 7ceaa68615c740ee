import Foundation

/// Event times and query parameters in ISO 8601: with or without fractional seconds, or a bare
/// UTC day — what users type into `?since=` and what CloudEvents carry in `time`.
public enum ISO8601 {
    public static func date(from text: String) -> Date? {
        (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
            ?? (try? Date.ISO8601FormatStyle().parse(text))
            ?? (try? Date.ISO8601FormatStyle().year().month().day().parse(text))
    }

    /// `2024-05-01T12:00:00Z`, or with `.123` milliseconds when `fractionalSeconds`.
    public static func string(from date: Date, fractionalSeconds: Bool = false) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: fractionalSeconds))
    }
}

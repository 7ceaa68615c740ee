import Foundation
import PakaJSON

/// Event times and query parameters in ISO 8601: with or without fractional seconds, or a bare
/// UTC day — what users type into `?since=` and what CloudEvents carry in `time`.
public enum ISO8601 {
    /// The instant `text` names, or nil unless it is a real one: Foundation's parser rolls
    /// `T25:00:00Z` over into the next day and `2024-02-30` into March, so every field is also
    /// checked against its range.
    public static func date(from text: String) -> Date? {
        guard ISO8601Fields.areInRange(text) else { return nil }
        // Three accepted forms, tried in turn: a parse error only means "not this form", and nil
        // is this function's "not an instant".
        return (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text))
            ?? (try? Date.ISO8601FormatStyle().parse(text))
            ?? (try? Date.ISO8601FormatStyle().year().month().day().parse(text))
    }

    /// `2024-05-01T12:00:00Z`, or with `.123` milliseconds when `fractionalSeconds`.
    public static func string(from date: Date, fractionalSeconds: Bool = false) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: fractionalSeconds))
    }
}

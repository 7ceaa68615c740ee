import Foundation

/// Event times and query parameters in ISO 8601: with or without fractional seconds, or a bare
/// UTC day — what users type into `?since=` and what CloudEvents carry in `time`.
public enum ISO8601 {
    public static func date(from text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime], [.withFullDate]] {
            formatter.formatOptions = options
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}

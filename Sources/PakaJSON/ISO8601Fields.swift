/// The fields of an ISO-8601 / RFC 3339 time, checked against their ranges. Foundation's
/// `Date.ISO8601FormatStyle` checks the shape but not the values: it rolls `T25:00:00Z` over into
/// the next day and `2024-02-30` into March. Shared by the host (offset resets to a time, `since=`)
/// and the plugin SDK, so a time a user typed means what it says everywhere, or is refused.
public enum ISO8601Fields {
    /// `YYYY-MM-DD` names a day of the (proleptic) Gregorian calendar; then `THH:MM:SS` has hour ≤ 23,
    /// minute ≤ 59, second ≤ 59; then a `±HH:MM` (or `±HHMM`) offset has hour ≤ 23, minute ≤ 59. The shape
    /// itself is left to the parser.
    public static func areInRange(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        func number(at start: Int, digits: Int) -> Int? {
            guard start >= 0, start + digits <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[start..<(start + digits)] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(at: 0, digits: 4), let month = number(at: 5, digits: 2), let day = number(at: 8, digits: 2) else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...12).contains(month), (1...daysInMonth[month - 1]).contains(day) else { return false }
        guard bytes.count > 10 else { return true }
        guard let hour = number(at: 11, digits: 2), let minute = number(at: 14, digits: 2), let second = number(at: 17, digits: 2),
              hour <= 23, minute <= 59, second <= 59 else { return false }
        if let sign = bytes.lastIndex(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") }), sign > 18 {
            let minuteAt = sign + 3 < bytes.count && bytes[sign + 3] == UInt8(ascii: ":") ? sign + 4 : sign + 3
            guard let offsetHour = number(at: sign + 1, digits: 2), let offsetMinute = number(at: minuteAt, digits: 2),
                  offsetHour <= 23, offsetMinute <= 59 else { return false }
        }
        return true
    }
}

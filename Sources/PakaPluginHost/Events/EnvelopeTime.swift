import Foundation

/// The envelope's `time`: RFC 3339 in UTC with milliseconds (`2026-11-29T01:52:03.123Z`), byte for
/// byte what `Date.ISO8601FormatStyle(includingFractionalSeconds: true)` prints.
///
/// Why by hand: it runs once per published event, and the format style cost about as much as the
/// rest of the envelope (~1 µs against ~0.1 µs for this, measured on the 2-core bench machine).
package enum EnvelopeTime {
    /// Appends the text of `date` to `out`.
    package static func append(_ date: Date, to out: inout [UInt8]) {
        // Whole seconds and the truncated milliseconds separately, as Foundation does: far from
        // 1970, `t * 1000` rounds up across a millisecond boundary where Foundation does not.
        let t = date.timeIntervalSince1970
        let whole = t.rounded(.down)
        let millisecond = Int(((t - whole) * 1000).rounded(.down))
        var (day, second) = Int(whole).quotientAndRemainder(dividingBy: 86_400)
        if second < 0 { second += 86_400; day -= 1 }
        let (year, month, dayOfMonth) = civilDate(daysSince1970: day)
        digits(year, 4, &out); out.append(UInt8(ascii: "-"))
        digits(month, 2, &out); out.append(UInt8(ascii: "-"))
        digits(dayOfMonth, 2, &out); out.append(UInt8(ascii: "T"))
        digits(second / 3600, 2, &out); out.append(UInt8(ascii: ":"))
        digits(second / 60 % 60, 2, &out); out.append(UInt8(ascii: ":"))
        digits(second % 60, 2, &out); out.append(UInt8(ascii: "."))
        digits(millisecond, 3, &out); out.append(UInt8(ascii: "Z"))
    }

    /// Fixed-width decimal; constant divisors only (a variable one costs a real division a digit).
    private static func digits(_ value: Int, _ width: Int, _ out: inout [UInt8]) {
        func digit(_ d: Int) { out.append(UInt8(truncatingIfNeeded: 0x30 + d % 10)) }
        if width >= 4 { digit(value / 1000) }
        if width >= 3 { digit(value / 100) }
        digit(value / 10)
        digit(value)
    }

    /// Proleptic Gregorian (year, month, day) of a day count from 1970-01-01 (Howard Hinnant's
    /// `civil_from_days`, valid far beyond any event's time).
    private static func civilDate(daysSince1970 days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

import Foundation
import PakaPluginSDK
import Testing

/// The SDK's ISO-8601 reader, used by plugins for `?since=` and event times.
@Suite struct SDKISO8601Tests {
    @Test(arguments: [
        ("2024-05-01", 1_714_521_600.0),
        ("2024-05-01T12:00:00Z", 1_714_564_800.0),
        ("2024-05-01T12:00:00.250Z", 1_714_564_800.25),
        ("2024-05-01T14:00:00+02:00", 1_714_564_800.0),
        ("2024-05-01T07:30:00-04:30", 1_714_564_800.0),
        ("2024-02-29T23:59:59Z", 1_709_251_199.0),
    ])
    func realInstantsAreRead(text: String, secondsSince1970: Double) {
        #expect(ISO8601.date(from: text)?.timeIntervalSince1970 == secondsSince1970)
    }

    /// Foundation's parser alone rolls most of these over into another instant (10 of the 11
    /// came back as a date with the range check disabled).
    @Test(arguments: [
        "2024-05-01T25:00:00Z", "2024-05-01T24:00:00Z", "2024-05-01T12:60:00Z", "2024-05-01T12:00:61Z",
        "2024-02-30", "2023-02-29", "2024-04-31T00:00:00Z", "2024-00-10", "2024-05-00",
        "2024-05-01T12:00:00+24:00", "2024-05-01T12:00:00+02:60",
    ])
    func fieldsOutOfRangeAreRefusedNotRolledOver(text: String) {
        #expect(ISO8601.date(from: text) == nil, "\(text) → \(String(describing: ISO8601.date(from: text)))")
    }

    @Test(arguments: ["yesterday", "", "2024-05", "2024-05-01T", "1714521600", "2024-13-01T00:00:00Z"])
    func textThatIsNoTimeIsRefused(text: String) {
        #expect(ISO8601.date(from: text) == nil, "\(text) → \(String(describing: ISO8601.date(from: text)))")
    }

    @Test func whatItWritesItReadsBack() {
        let instant = Date(timeIntervalSince1970: 1_714_564_800.125)
        #expect(ISO8601.string(from: instant, fractionalSeconds: true) == "2024-05-01T12:00:00.125Z")
        let back = ISO8601.date(from: ISO8601.string(from: instant, fractionalSeconds: true))?.timeIntervalSince1970 ?? 0
        #expect(abs(back - 1_714_564_800.125) < 0.001)
    }
}

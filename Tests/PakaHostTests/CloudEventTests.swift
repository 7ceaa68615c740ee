import Foundation
import PakaPipeline
import PakaPluginHost
import Testing

/// The CloudEvents 1.0 envelope every topic carries.
@Suite struct CloudEventTests {
    @Test func envelopeHasEveryRequiredAttributeAndRoundTrips() throws {
        let event = CloudEvent(source: "paka/api", type: "audit.event", subject: "doc \"42\"\n\u{1}é", data: Array(#"{"a":[1,2]}"#.utf8))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(event.jsonBytes)) as? [String: Any])
        #expect(object["specversion"] as? String == "1.0")
        #expect(object["datacontenttype"] as? String == "application/json")
        #expect(UUID(uuidString: object["id"] as? String ?? "") != nil)
        #expect(object["subject"] as? String == "doc \"42\"\n\u{1}é")
        #expect(ISO8601DateFormatter.flexible(object["time"] as? String ?? "") != nil)
        let parsed = try CloudEvent.parse(event.jsonBytes).get()
        #expect(parsed.id == event.id && parsed.type == event.type && parsed.subject == event.subject)
        #expect(try JSONSerialization.jsonObject(with: Data(parsed.data)) as? [String: [Int]] == ["a": [1, 2]])
    }

    @Test func eventIdsAreDistinctLowercaseVersion4UUIDs() throws {
        let pattern = try Regex("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
        let ids = (0..<5_000).map { _ in CloudEvent(source: "s", type: "t", subject: "k", data: []).id }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.wholeMatch(of: pattern) != nil && UUID(uuidString: $0) != nil })
    }

    @Test func envelopeTimeIsUTCWithMillisecondsExactlyAsFoundationFormatsIt() throws {
        let style = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        var generator = SystemRandomNumberGenerator()
        let instants = [0, -0.5, 951_782_400.999, 1_780_000_000.1234, 4_102_444_799.9995, -2_208_988_800]
            + (0..<2_000).map { _ in Double.random(in: -4e9..<8e9, using: &generator) }
        for instant in instants {
            let date = Date(timeIntervalSince1970: instant)
            let event = CloudEvent(source: "s", type: "t", time: date, subject: "k", data: [])
            let object = try #require(try JSONSerialization.jsonObject(with: Data(event.jsonBytes)) as? [String: Any])
            #expect(object["time"] as? String == date.formatted(style), "at \(instant)")
        }
    }

    @Test func requiredAttributesNameWhatIsMissing() {
        #expect(CloudEvent.requiredAttributes(of: Array(#"{"id":"x","type":"t"}"#.utf8)).failure == .missing("source"))
        #expect(CloudEvent.requiredAttributes(of: Array(#"{"id":5,"type":"t","source":"s"}"#.utf8)).failure == .missing("id"))
        #expect(CloudEvent.requiredAttributes(of: Array("[1]".utf8)).failure == .notAnObject)
        #expect(CloudEvent.requiredAttributes(of: Array("{nope".utf8)).failure == .notJSON)
    }
}

/// The consumer's poison check decodes only the id; its verdict must be the full check's.
@Suite struct CloudEventIdCheckTests {
    /// A small deterministic generator, so a failure names a case that can be run again.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let envelopes = [
        CloudEvent(source: "paka/bench", type: "bench.raw", subject: "key-000001", data: Array(#"{"action":"document.viewed","resourceId":1}"#.utf8)).jsonBytes,
        Array(#"{"id":"a\"b\u00e9","type":"t","source":"s","data":null}"#.utf8),
        Array(#"{"type":"t","id":"","source":"s","id":"second"}"#.utf8),
        Array(#"{"id":"x","type":"","source":"s"}"#.utf8),
        Array(#"{"id":"x","type":"t","source":7}"#.utf8),
        Array(#"{"\u0069d":"escaped-name","type":"t","source":"s"}"#.utf8),
        Array(#"[{"id":"x","type":"t","source":"s"}]"#.utf8),
        Array(#"{"id":"x","type":"t","source":"s"} trailing"#.utf8),
    ]

    @Test func verdictMatchesTheFullCheckOnEnvelopesAndTheirMutations() {
        var generator = SplitMix(state: 16)
        let replacements: [UInt8] = Array("\"\\{}[],: a0-".utf8) + [0x01, 0x0A, 0xC3]
        for envelope in Self.envelopes {
            #expect(CloudEvent.validatedId(of: envelope) == CloudEvent.requiredAttributes(of: envelope).map(\.id))
            for _ in 0..<2_000 {
                var mutated = envelope
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    mutated[Int.random(in: 0..<mutated.count, using: &generator)] = replacements.randomElement(using: &generator) ?? 0x20
                }
                #expect(CloudEvent.validatedId(of: mutated) == CloudEvent.requiredAttributes(of: mutated).map(\.id),
                        "\(String(decoding: mutated, as: UTF8.self))")
            }
        }
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let f) = self { return f }
        return nil
    }
}

import Foundation
@testable import PakaPipeline
@testable import PakaPluginHost
import Testing

/// `JSONReader` against the reference it replaced (`JSONDecoder` decoding `JSONValue`): same
/// verdict and same value on every document, and no trap on any input.
@Suite struct JSONReaderTests {
    static func reference(_ bytes: [UInt8]) -> JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)) }
    static func reader(_ bytes: [UInt8]) -> JSONValue? { try? JSONReader.parse(bytes) }

    static let corpus = [
        #"{"action": "test_action", "resource": "document", "resourceId": 123, "details": {"note": "Testing Kafka audit"}}"#,
        #"[1, -2.5, 3e10, 0.001E-3, true, false, null, "a\"b\\c\/d\b\f\n\r\t", "\u00e9\ud83d\ude00", [], {}]"#,
        #"  {"nested": {"deeper": [[[{"x": "y"}]]]}, "empty": ""}  "#,
        #""just a string""#, "42", "-0", "1.5e308", "{\"dup\": 1, \"dup\": 2}", "[1,]", "{\"a\":1,}", "\"é ü 漢字\"",
    ]

    @Test(arguments: corpus) func readerAgreesWithJSONDecoderOnValidDocuments(text: String) {
        let bytes = Array(text.utf8)
        #expect(Self.reference(bytes) != nil)
        #expect(Self.reader(bytes) == Self.reference(bytes))
    }

    @Test(arguments: [
        "", " ", "{", "}", "[1,,]", "[,]", "{,}", "{\"a\":}", "{\"a\" 1}", "01", "1.", ".5", "-", "1e", "+1", "1e400", "NaN", "tru", "nul",
        "\"unterminated", "\"\\x\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\u{1}\"", "[1] x",
        String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
    ])
    func readerRefusesWhatJSONDecoderRefuses(text: String) {
        let bytes = Array(text.utf8)
        #expect(Self.reader(bytes) == nil)
        #expect(Self.reader(bytes) == Self.reference(bytes))
    }

    @Test func invalidUTF8IsRefused() {
        #expect(Self.reader([0x22, 0xFF, 0xFE, 0x22]) == nil)
        #expect(Self.reader([0x22, 0xC3, 0x22]) == nil)
    }

    /// 20 000 mutations of the corpus, bytes changed, inserted or removed: the reader never
    /// traps and gives the reference's verdict and value, except where it is stricter on purpose.
    @Test func mutatedDocumentsGetTheSameAnswerFromBoth() {
        var random = SplitMix64(seed: 0x0150_2026_1130)
        let alphabet = Array(#"{}[]":,.-+eE0123456789\"u tfn"#.utf8) + [0x80, 0xC3, 0xA9, 0xFF, 0x00, 0x0A]
        var disagreements: [String] = []
        for _ in 0..<20_000 {
            var input = Array(Self.corpus[Int(random.next() % UInt64(Self.corpus.count))].utf8)
            for _ in 0..<(1 + Int(random.next() % 3)) {
                let position = Int(random.next() % UInt64(input.count + 1))
                let byte = alphabet[Int(random.next() % UInt64(alphabet.count))]
                switch random.next() % 3 {
                case 0 where position < input.count: input[position] = byte
                case 1: input.insert(byte, at: position)
                default: if position < input.count { input.remove(at: position) }
                }
            }
            let (mine, theirs) = (Self.reader(input), Self.reference(input))
            // Where the reader is stricter, on purpose: JSONDecoder guesses UTF-16/32 from NUL
            // bytes, and never reads the value of a duplicate key it drops ({"a":1,"a":2E}).
            let stricter = mine == nil && (input.contains(0) || String(decoding: input, as: UTF8.self).components(separatedBy: "\"dup\"").count > 2)
            // And where JSONDecoder refuses valid JSON: it refuses "0.00E-3" (JSONSerialization,
            // and RFC 8259, accept it).
            let decoderBug = mine != nil && theirs == nil
                && (try? JSONSerialization.jsonObject(with: Data(input), options: [.fragmentsAllowed])) != nil
            if mine != theirs, !stricter, !decoderBug, disagreements.count < 5 {
                disagreements.append("\(String(decoding: input, as: UTF8.self)) → reader \(String(describing: mine)), JSONDecoder \(String(describing: theirs))")
            }
        }
        #expect(disagreements.isEmpty, "reader and JSONDecoder disagree on: \(disagreements)")
    }
}

import Foundation
import Testing
import PakaJSON

/// The consumer's JSON check agrees with Foundation's parser on what is and is not JSON —
/// except where Foundation is more lenient than RFC 8259 (trailing commas), where it is strict.
@Suite struct JSONScannerTests {
    static let documents = [
        #"{}"#, #"{"id":"a"}"#, #" {"id" : "a\"b\\c\/d\u00e9\ud83d\ude00", "n": -1.5e+3, "x": [true, false, null, {"y": []}]} "#,
        #"[1]"#, #""text""#, #"42"#, #"{"a":1,}"#, #"{"a" 1}"#, #"{"a":01}"#, #"{"a":1.}"#, #"{"a":"\x"}"#, #"{"a":"\ud800"}"#,
        #"{"a":tru}"#, "{\"a\":\"line\nbreak\"}", #"{"a":1} x"#, #"{"#, "", #"{"a":[1,2}"#, #"{"a":-}"#, #"{"a":"\u12"}"#,
        String(repeating: "[", count: 300) + String(repeating: "]", count: 300),
    ]

    @Test(arguments: documents)
    func agreesWithFoundationOnValidity(_ document: String) {
        let bytes = Array(document.utf8)
        let foundation = (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) != nil
        let scanned = JSONScanner.topLevelStrings([], in: bytes)
        let ours: Bool
        switch scanned {
        case .success, .failure(.notAnObject): ours = true
        case .failure(.notJSON): ours = false
        }
        if document == #"{"a":1,}"# {
            #expect(!ours)  // RFC 8259 has no trailing commas; Foundation accepts them
        } else if document.hasPrefix(String(repeating: "[", count: 300)) {
            #expect(!ours)  // deeper than 256 levels is refused as poison, whatever Foundation allows
        } else {
            #expect(ours == foundation, "\(document)")
        }
    }

    /// Strings are scanned eight bytes at a time, jumping to the first byte that ends or escapes
    /// them: put each such byte (and a multi-byte character) at every position of the first
    /// words of a string and check the verdict and the decoded text against Foundation.
    @Test func stringsAgreeWithFoundationWhereverTheirSpecialBytesFall() throws {
        let specials = [#"\""#, #"\\"#, #"\n"#, #"\u00e9"#, "é", "😀", "\u{01}", "\u{1f}", #"\x"#, "\n", "\t"]
        for special in specials {
            for before in 0...17 {
                for after in [0, 1, 7, 8, 9] {
                    let text = String(repeating: "a", count: before) + special + String(repeating: "b", count: after)
                    let document = #"{"k":"\#(text)","id":"x"}"#
                    let bytes = Array(document.utf8)
                    let foundation = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: String]
                    switch JSONScanner.topLevelStrings(["k"], in: bytes) {
                    case .success(let found):
                        #expect(foundation != nil, "\(document) accepted, Foundation refuses it")
                        #expect(found["k"] == foundation?["k"], "\(document)")
                    case .failure(let failure):
                        #expect(foundation == nil && failure == .notJSON, "\(document) refused, Foundation accepts it")
                    }
                }
            }
        }
    }

    @Test func extractsTopLevelStringsOnlyAndDecodesEscapes() throws {
        let doc = Array(#"{"data": {"id": "nested"}, "id": "a\"b\u00e9\ud83d\ude00", "type": 5, "source": "s"}"#.utf8)
        let found = try JSONScanner.topLevelStrings(["id", "type", "source"], in: doc).get()
        #expect(found == ["id": "a\"bé😀", "source": "s"])
    }
}

import Testing
@testable import PakaServer

/// The upload route's multipart parser: what it accepts, what it refuses, and that no input at
/// all — however it is split into chunks — can trap it.
@Suite struct MultipartStreamParserTests {
    struct Part: Equatable {
        var headers: [String: String]
        var body: [UInt8]
    }

    /// Parses `input` fed in `chunks` sizes (cycled); the parts, or the Malformed error.
    static func parse(_ input: [UInt8], boundary: String = "XyZ", chunks: [Int] = [Int.max]) -> Result<[Part], MultipartStreamParser.Malformed> {
        final class Collector { var parts: [Part] = [] }
        let collected = Collector()
        do {
            var parser = try MultipartStreamParser(boundary: boundary)
            parser.onPart = { collected.parts.append(Part(headers: $0, body: [])) }
            parser.onBody = { bytes in collected.parts[collected.parts.count - 1].body += bytes }
            var offset = 0
            var index = 0
            while offset < input.count {
                let size = max(1, min(chunks[index % chunks.count], input.count - offset))
                try parser.feed(input[offset..<(offset + size)])
                offset += size
                index += 1
            }
            try parser.finish()
            return .success(collected.parts)
        } catch let error as MultipartStreamParser.Malformed {
            return .failure(error)
        } catch {
            Issue.record("unexpected error type: \(error)")
            return .failure(.init(description: "\(error)"))
        }
    }

    static let valid = Array("""
        preamble to ignore\r
        --XyZ\r
        Content-Disposition: form-data; name="comment"\r
        \r
        hello\r
        --XyZ\r
        Content-Disposition: form-data; name="file"; filename="a.bin"\r
        Content-Type:   application/octet-stream  \r
        \r
        line one\r
        --XyNot the boundary\r
        -XyZ still body\r
        --XyZ--\r
        epilogue to ignore
        """.utf8)

    static let expected = [
        Part(headers: ["content-disposition": #"form-data; name="comment""#], body: Array("hello".utf8)),
        Part(headers: ["content-disposition": #"form-data; name="file"; filename="a.bin""#, "content-type": "application/octet-stream"],
             body: Array("line one\r\n--XyNot the boundary\r\n-XyZ still body".utf8)),
    ]

    @Test func partsHeadersAndBodiesAreReadAndPreambleAndEpilogueIgnored() throws {
        #expect(try Self.parse(Self.valid).get() == Self.expected)
    }

    @Test(arguments: [[1], [2], [3], [7], [1, 5, 2], [64]])
    func anySplitIntoChunksGivesTheSameParts(chunks: [Int]) throws {
        #expect(try Self.parse(Self.valid, chunks: chunks).get() == Self.expected)
    }

    @Test func bodyMayStartWithTheDelimiterAndAPartMayHaveNoHeaders() throws {
        let input = Array("--XyZ\r\n\r\nbare\r\n--XyZ--".utf8)
        #expect(try Self.parse(input).get() == [Part(headers: [:], body: Array("bare".utf8))])
    }

    @Test func emptyFileBodyIsAPartWithNoBytes() throws {
        let input = Array("--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n\r\n--XyZ--\r\n".utf8)
        #expect(try Self.parse(input).get().first?.body == [])
    }

    @Test(arguments: [
        ("--XyZ\r\nContent-Disposition: x\r\n\r\nbody with no end", "multipart body ended before its closing boundary (--boundary--)"),
        ("--XyZ\r\n\u{00D6}name: v\r\n\r\nb\r\n--XyZ--", "multipart part header name contains a character not allowed in a header name"),
        ("--XyZ\r\nno colon here\r\n\r\nb\r\n--XyZ--", "multipart part header line has no 'Name:'"),
        ("--XyZjunk\r\n\r\nb\r\n--XyZ--", "multipart delimiter must be followed by CRLF or '--'"),
        ("", "multipart body ended before its closing boundary (--boundary--)"),
    ])
    func malformedBodiesAreRefusedSayingWhy(input: String, reason: String) {
        #expect(Self.parse(Array(input.utf8)) == .failure(.init(description: reason)))
    }

    @Test func headerBlockLargerThanTheCapIsRefused() {
        let input = Array("--XyZ\r\nX-Big: \(String(repeating: "a", count: MultipartStreamParser.maximumHeaderBytes))\r\n\r\nb\r\n--XyZ--".utf8)
        #expect(Self.parse(input) == .failure(.init(description: "multipart part headers are larger than \(MultipartStreamParser.maximumHeaderBytes) bytes")))
    }

    @Test(arguments: ["", String(repeating: "b", count: 71)])
    func boundaryOutsideOneToSeventyCharactersIsRefused(boundary: String) {
        #expect(throws: MultipartStreamParser.Malformed.self) { try MultipartStreamParser(boundary: boundary) }
    }

    /// 20 000 mutations of a valid body (bytes flipped, inserted, removed, high bytes and CR/LF
    /// favoured), each fed whole and in random chunks: the parser never traps, only ever throws
    /// `Malformed`, and gives the same answer however the input is split.
    @Test func noMutatedBodyTrapsTheParserOrDependsOnChunking() {
        var random = SplitMix64(seed: 0x5EED_2026_1130)
        let alphabet: [UInt8] = [0x0D, 0x0A, 0x2D, 0x3A, 0x20, 0x58, 0x79, 0x5A, 0x80, 0xC3, 0x96, 0xFF, 0x00]
        var refused = 0
        for _ in 0..<20_000 {
            var input = Self.valid
            for _ in 0..<(1 + Int(random.next() % 4)) {
                let position = Int(random.next() % UInt64(input.count + 1))
                let byte = random.next() % 2 == 0 ? alphabet[Int(random.next() % UInt64(alphabet.count))] : UInt8(truncatingIfNeeded: random.next())
                switch random.next() % 3 {
                case 0 where position < input.count: input[position] = byte
                case 1: input.insert(byte, at: position)
                default: if position < input.count { input.remove(at: position) }
                }
            }
            let chunks = (0..<3).map { _ in 1 + Int(random.next() % 9) }
            let whole = Self.parse(input)
            #expect(Self.parse(input, chunks: chunks) == whole)
            if case .failure = whole { refused += 1 }
        }
        #expect(refused > 0 && refused < 20_000, "mutations should produce both valid and malformed bodies")
    }
}

/// A small deterministic generator: the fuzz cases are the same on every run.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}


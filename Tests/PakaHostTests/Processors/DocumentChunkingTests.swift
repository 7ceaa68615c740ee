import Foundation
import PakaPipeline
import PakaPluginHost
import Testing

/// Chunks of about 800 characters, cut at sentence ends, each starting with the end of the last.
@Suite struct DocumentChunkingTests {
    /// 60 numbered sentences of ~45 characters: about 2,700 characters in all.
    static let sentences = (1...60).map { "Sentence number \($0) talks about topic \($0 % 7)." }

    @Test func chunksStayUnderTheSizeAndEndAtSentenceEnds() throws {
        let fixture = try DocumentFixture()
        let id = try fixture.ingest("long.txt", Self.sentences.joined(separator: " "))
        let chunks = try fixture.chunks(of: id)
        #expect(chunks.count >= 4)
        for chunk in chunks {
            #expect(chunk.count <= 800)
            #expect(chunk.hasSuffix("."), "chunk ends mid-sentence: …\(chunk.suffix(40))")
        }
        for chunk in chunks.dropLast() { #expect(chunk.count > 650, "chunks are filled to about 800 characters") }
        #expect(try fixture.row(id)["chunk_count"] == "\(chunks.count)")
        // Every sentence is in some chunk, whole.
        for sentence in Self.sentences { #expect(chunks.contains { $0.contains(sentence) }, "\(sentence) lost") }
    }

    @Test func consecutiveChunksOverlapByAboutAHundredCharactersFromAWordStart() throws {
        let fixture = try DocumentFixture()
        let id = try fixture.ingest("long.txt", Self.sentences.joined(separator: " "))
        let chunks = try fixture.chunks(of: id)
        try #require(chunks.count >= 2)
        for (previous, next) in zip(chunks, chunks.dropFirst()) {
            let shared = (1...min(previous.count, next.count)).last { previous.hasSuffix(String(next.prefix($0))) } ?? 0
            #expect((60...100).contains(shared), "overlap of \(shared) characters")
            let overlap = next.prefix(shared)
            #expect(previous.dropLast(shared).hasSuffix(" "), "overlap '\(overlap)' starts mid-word")
        }
    }

    @Test func aSentenceLongerThanAChunkIsCutBetweenWords() throws {
        let fixture = try DocumentFixture()
        let words = (1...400).map { "word\($0)" }
        let id = try fixture.ingest("run-on.txt", words.joined(separator: " "))
        let chunks = try fixture.chunks(of: id)
        #expect(chunks.count >= 4)
        let vocabulary = Set(words)
        for chunk in chunks {
            #expect(chunk.count <= 800)
            #expect(chunk.split(separator: " ").allSatisfy { vocabulary.contains(String($0)) }, "a word was cut")
        }
    }

    @Test func shortDocumentIsOneChunkAndEmptyOneFailsWithTheReason() throws {
        let fixture = try DocumentFixture()
        let short = try fixture.ingest("short.txt", "Just one line.")
        #expect(try fixture.chunks(of: short) == ["Just one line."])
        let empty = UUID().uuidString.lowercased()
        let outcome = fixture.handle(DocumentFixture.event(documentId: empty, fileName: "empty.txt", contentType: "text/plain",
                                                           path: fixture.store("\(empty).txt", "  \n\n ")))
        #expect(outcome == .fail("document \(empty): 'empty.txt' contains no text to index"))
        #expect(try fixture.row(empty)["status"] == "failed")
    }
}

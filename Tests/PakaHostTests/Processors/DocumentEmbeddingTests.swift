import Foundation
import PakaPipeline
import PakaPluginHost
import Testing

/// The default embedder, observed through the vectors the `.so` stores.
@Suite struct DocumentEmbeddingTests {
    @Test func sameTextGetsTheSameVectorInEveryInstance() throws {
        let text = "Kafka consumers commit offsets after the plugin answers OK."
        let first = try DocumentFixture(), second = try DocumentFixture()
        let a = try first.vectors(of: try first.ingest("a.txt", text))
        let b = try second.vectors(of: try second.ingest("b.txt", text))
        #expect(a.count == 1)
        #expect(a == b)
    }

    @Test func vectorsHave384UnitLengthDimensions() throws {
        let fixture = try DocumentFixture()
        let vectors = try fixture.vectors(of: try fixture.ingest("v.txt", "PostgreSQL stores every chunk with its vector."))
        let vector = try #require(vectors.first)
        #expect(vector.count == 384)
        #expect(abs(dot(vector, vector) - 1) < 1e-4)
        #expect(vector.contains { $0 != 0 })
    }

    @Test func similarTextsScoreHigherThanUnrelatedOnes() throws {
        let fixture = try DocumentFixture()
        let base = try fixture.vectors(of: try fixture.ingest("1.txt", "The invoice must be paid within thirty days of delivery."))[0]
        let similar = try fixture.vectors(of: try fixture.ingest("2.txt", "Pay the invoice within thirty days after delivery, please."))[0]
        let unrelated = try fixture.vectors(of: try fixture.ingest("3.txt", "Penguins huddle together to survive the antarctic winter."))[0]
        #expect(dot(base, similar) > 0.4)
        #expect(dot(base, similar) > dot(base, unrelated) + 0.3)
    }
}

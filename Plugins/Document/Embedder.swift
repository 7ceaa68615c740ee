/// Turns chunks of text into vectors. Every vector a store keeps is L2-normalised, so cosine
/// similarity is a plain dot product (in SQL or in Swift).
protocol Embedder {
    /// Stored with each document so a search only compares vectors from the same model.
    var model: String { get }
    /// Embeds `texts` in order; throws `PluginError.retry` for an outage, `.fail` for a refusal.
    func embed(_ texts: [String]) throws -> [[Float]]
}

extension Array where Element == Float {
    /// The vector scaled to length 1 (unchanged when it is all zeros).
    func normalised() -> [Float] {
        var sum: Float = 0
        for x in self { sum += x * x }
        guard sum > 0 else { return self }
        let scale = 1 / sum.squareRoot()
        return map { $0 * scale }
    }
}

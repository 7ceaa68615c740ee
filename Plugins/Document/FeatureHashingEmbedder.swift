/// The default embedder: no network, no model file, same vector for the same text on every
/// machine and every run.
///
/// Word unigrams and bigrams are hashed (64-bit FNV-1a — Swift's `Hasher` is seeded per process,
/// which would make stored vectors useless after a restart) into `dimensions` buckets with a
/// hash-derived sign, so unrelated features cancel out instead of piling up; the vector is then
/// L2-normalised. Texts sharing words and phrases score higher than texts that do not.
struct FeatureHashingEmbedder: Embedder {
    let dimensions: Int
    var model: String { "paka-feature-hashing-\(dimensions)" }

    init(dimensions: Int = 384) { self.dimensions = dimensions }

    func embed(_ texts: [String]) throws -> [[Float]] { texts.map(vector) }

    func vector(_ text: String) -> [Float] {
        var vector = [Float](repeating: 0, count: dimensions)
        var previous: UInt64?
        for word in Self.words(text) {
            let unigram = Self.fnv1a(word)
            add(unigram, to: &vector, weight: 1)
            // A bigram's hash continues from the previous word's, so "new york" ≠ "york new".
            if let previous { add(Self.fnv1a(word, seed: previous ^ 0x20), to: &vector, weight: 0.5) }
            previous = unigram
        }
        return vector.normalised()
    }

    private func add(_ hash: UInt64, to vector: inout [Float], weight: Float) {
        let index = Int(hash % UInt64(dimensions))
        vector[index] += (hash >> 63) == 0 ? weight : -weight
    }

    /// Lower-cased runs of letters and digits, as UTF-8 bytes.
    static func words(_ text: String) -> [[UInt8]] {
        var words: [[UInt8]] = []
        var current: [UInt8] = []
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                // ASCII fast path: most text is ASCII, and `properties` is comparatively slow.
                switch value {
                case 0x30...0x39, 0x61...0x7A: current.append(UInt8(value)); continue
                case 0x41...0x5A: current.append(UInt8(value + 0x20)); continue
                default: break
                }
            } else if scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
                current.append(contentsOf: scalar.properties.lowercaseMapping.utf8)
                continue
            }
            if !current.isEmpty {
                words.append(current)
                current.removeAll(keepingCapacity: true)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    static func fnv1a(_ bytes: [UInt8], seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var hash = seed
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        // FNV's low bits mix poorly for short keys; a final avalanche spreads them over the buckets.
        hash ^= hash >> 33
        hash &*= 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        return hash
    }
}

/// Splits text into chunks of about `size` characters for embedding.
///
/// Chunks end at sentence (or line) ends where possible, so a vector stands for whole thoughts;
/// a sentence longer than a chunk is cut between words. Each chunk after the first starts with
/// the last ~`overlap` characters of the one before (from a word start), so a fact that straddles
/// a boundary is still found whole in one chunk. Whitespace runs become single spaces.
struct TextChunker {
    var size = 800
    var overlap = 100

    func chunks(_ text: String) -> [String] {
        var chunks: [String] = []
        var current: [Character] = []
        for unit in units(text) {
            if current.isEmpty {
                current = unit
            } else if current.count + 1 + unit.count <= size {
                current.append(" ")
                current.append(contentsOf: unit)
            } else {
                chunks.append(String(current))
                let tail = Self.tail(of: current, upTo: overlap)
                current = !tail.isEmpty && tail.count + 1 + unit.count <= size ? tail + [" "] + unit : unit
            }
        }
        if !current.isEmpty { chunks.append(String(current)) }
        return chunks
    }

    /// Sentences and lines, whitespace collapsed, none longer than `size`.
    func units(_ text: String) -> [[Character]] {
        var units: [[Character]] = []
        var current: [Character] = []
        var pendingSpace = false
        func finish() {
            if !current.isEmpty { units.append(contentsOf: split(current)) }
            current.removeAll(keepingCapacity: true)
            pendingSpace = false
        }
        for character in text {
            if character.isNewline {
                finish()
            } else if character.isWhitespace {
                // A space after a sentence terminator ends the sentence ("3.5" and "e.g.x" do not).
                if let last = current.last, ".!?…".contains(last) { finish() } else if !current.isEmpty { pendingSpace = true }
            } else {
                if pendingSpace { current.append(" "); pendingSpace = false }
                current.append(character)
            }
        }
        finish()
        return units
    }

    /// Cuts a unit longer than `size` between words (mid-word only when one word is too long).
    private func split(_ unit: [Character]) -> [[Character]] {
        guard unit.count > size else { return [unit] }
        var pieces: [[Character]] = []
        var start = 0
        while unit.count - start > size {
            var end = start + size
            if let space = unit[start..<end].lastIndex(of: " "), space > start { end = space }
            pieces.append(Array(unit[start..<end]))
            start = end
            while start < unit.count, unit[start] == " " { start += 1 }
        }
        if start < unit.count { pieces.append(Array(unit[start...])) }
        return pieces
    }

    /// The last `limit` characters of `chunk`, starting at a word (empty when no word fits).
    static func tail(of chunk: [Character], upTo limit: Int) -> [Character] {
        guard limit > 0 else { return [] }
        if chunk.count <= limit { return chunk }
        let window = chunk[(chunk.count - limit)...]
        // Starting on a word boundary: keep the window whole only when it already starts one.
        if chunk[chunk.count - limit - 1] == " " { return Array(window) }
        guard let space = window.firstIndex(of: " ") else { return [] }
        return Array(chunk[(space + 1)...])
    }
}

/// PostgreSQL array literals, for sending many values in one parameter.
enum PostgresArray {
    /// `{"a","b \"quoted\""}`: every element quoted, backslashes and quotes escaped.
    static func text(_ values: [String]) -> String {
        var literal = "{"
        for (i, value) in values.enumerated() {
            if i > 0 { literal += "," }
            literal += "\""
            for character in value {
                if character == "\"" || character == "\\" { literal.append("\\") }
                literal.append(character)
            }
            literal += "\""
        }
        return literal + "}"
    }

    static func integers(_ values: [Int]) -> String { "{" + values.map(String.init).joined(separator: ",") + "}" }

    /// `{0.1,-0.25,…}`; Swift prints the shortest text that reads back as the same Float.
    static func reals(_ values: [Float]) -> String { "{" + values.map { "\($0)" }.joined(separator: ",") + "}" }

    /// Parses `{0.1,-0.25}` as returned by libpq in text format.
    static func parseReals(_ text: String) -> [Float] {
        text.dropFirst().dropLast().split(separator: ",").compactMap { Float($0) }
    }
}

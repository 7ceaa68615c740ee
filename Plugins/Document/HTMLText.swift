/// The readable text of an HTML page: scripts, styles and comments dropped, tags removed (block
/// tags become line breaks so sentences of different paragraphs do not run together), character
/// references decoded.
enum HTMLText {
    static func extract(_ html: String) -> String {
        var text = html
        for element in ["script", "style", "noscript", "template"] { text = removeElements(element, from: text) }
        text = remove(between: "<!--", and: "-->", in: text)
        var output = ""
        output.reserveCapacity(text.utf8.count)
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            guard character == "<", let close = text[index...].firstIndex(of: ">") else {
                output.append(character)
                index = text.index(after: index)
                continue
            }
            let tag = text[text.index(after: index)..<close].lowercased()
            let name = tag.drop { $0 == "/" }.prefix { $0.isLetter || $0.isNumber }
            output.append(blockTags.contains(String(name)) ? "\n" : " ")
            index = text.index(after: close)
        }
        return decodeEntities(output)
    }

    static let blockTags: Set<String> = [
        "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "table",
        "section", "article", "header", "footer", "blockquote", "pre", "hr", "title", "dt", "dd", "main", "nav",
    ]

    /// Drops `<name …>…</name>` (case-insensitive), keeping what follows an unclosed one.
    static func removeElements(_ name: String, from text: String) -> String {
        remove(between: "<\(name)", and: "</\(name)>", in: text, caseInsensitive: true)
    }

    static func remove(between open: String, and close: String, in text: String, caseInsensitive: Bool = false) -> String {
        let options: String.CompareOptions = caseInsensitive ? [.caseInsensitive] : []
        var result = ""
        var rest = text[...]
        while let start = rest.range(of: open, options: options) {
            result += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].range(of: close, options: options) else { return result }
            result += " "
            rest = rest[end.upperBound...]
        }
        return result + rest
    }

    static let named: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "copy": "©", "reg": "®",
        "mdash": "—", "ndash": "–", "hellip": "…", "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”",
        "euro": "€", "pound": "£", "yen": "¥", "cent": "¢", "deg": "°", "times": "×", "middot": "·", "bull": "•",
        "eacute": "é", "egrave": "è", "agrave": "à", "auml": "ä", "ouml": "ö", "uuml": "ü", "szlig": "ß", "ccedil": "ç",
    ]

    /// `&amp;`, `&#233;`, `&#xE9;` and the common named references; unknown ones stay as written.
    static func decodeEntities(_ text: String) -> String {
        guard text.contains("&") else { return text }
        var output = ""
        var rest = text[...]
        while let amp = rest.firstIndex(of: "&") {
            output += rest[..<amp]
            let after = rest[rest.index(after: amp)...]
            if let semicolon = after.prefix(12).firstIndex(of: ";"), let decoded = decode(String(after[..<semicolon])) {
                output += decoded
                rest = after[after.index(after: semicolon)...]
            } else {
                output += "&"
                rest = after
            }
        }
        return output + rest
    }

    private static func decode(_ entity: String) -> String? {
        if entity.hasPrefix("#") {
            let digits = entity.dropFirst()
            let value = digits.first == "x" || digits.first == "X" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
            return value.flatMap(Unicode.Scalar.init).map { String(Character($0)) }
        }
        return named[entity]
    }
}

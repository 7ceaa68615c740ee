import Foundation

/// Text out of JSON, CSV and Markdown: what a reader would search for, without the syntax.
enum StructuredText {
    /// Every string value (object keys are structure, not content), one per line, in document order.
    static func json(_ bytes: [UInt8]) throws -> String {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
        } catch {
            throw ExtractionError("the file is not valid JSON: \(error.localizedDescription)")
        }
        var strings: [String] = []
        collect(root, into: &strings)
        return strings.joined(separator: "\n")
    }

    private static func collect(_ value: Any, into strings: inout [String]) {
        switch value {
        case let text as String: strings.append(text)
        case let array as [Any]: array.forEach { collect($0, into: &strings) }
        case let object as [String: Any]:
            // JSONSerialization loses key order; sorting keeps the output stable across runs.
            for key in object.keys.sorted() { collect(object[key]!, into: &strings) }
        default: break
        }
    }

    /// RFC 4180 cells (quoted fields, doubled quotes, line breaks inside quotes); a row per line,
    /// its non-empty cells separated by spaces.
    static func csv(_ text: String) -> String {
        var rows: [String] = []
        var cells: [String] = []
        var cell = ""
        var quoted = false
        var iterator = text.makeIterator()
        func endRow() {
            cells.append(cell)
            cell = ""
            let kept = cells.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            if !kept.isEmpty { rows.append(kept.joined(separator: " ")) }
            cells.removeAll()
        }
        while let character = iterator.next() {
            if quoted {
                if character == "\"" {
                    // A doubled quote is a literal quote; a single one closes the field.
                    guard let next = iterator.next() else { quoted = false; break }
                    if next == "\"" { cell.append("\"") } else {
                        quoted = false
                        if next == "," { cells.append(cell); cell = "" } else if next.isNewline { endRow() } else { cell.append(next) }
                    }
                } else {
                    cell.append(character)
                }
            } else if character == "\"" && cell.isEmpty {
                quoted = true
            } else if character == "," {
                cells.append(cell)
                cell = ""
            } else if character.isNewline {
                endRow()
            } else {
                cell.append(character)
            }
        }
        if !cell.isEmpty || !cells.isEmpty { endRow() }
        return rows.joined(separator: "\n")
    }

    /// Markdown without its markup: headings, quotes, list markers, emphasis, code fences, link
    /// and image syntax (the link text stays, the URL goes), HTML tags.
    static func markdown(_ text: String) -> String {
        var lines: [String] = []
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("```") || line.hasPrefix("~~~") || line.allSatisfy({ "-*_=".contains($0) }) && line.count >= 3 {
                lines.append("")
                continue
            }
            while let first = line.first, "#>".contains(first) { line = String(line.dropFirst()).trimmingCharacters(in: .whitespaces) }
            for marker in ["- ", "* ", "+ "] where line.hasPrefix(marker) { line = String(line.dropFirst(2)) }
            if let dot = line.firstIndex(of: "."), line[..<dot].allSatisfy(\.isNumber), !line[..<dot].isEmpty,
               line[line.index(after: dot)...].hasPrefix(" ") {
                line = String(line[line.index(dot, offsetBy: 2)...])
            }
            lines.append(line)
        }
        var result = lines.joined(separator: "\n")
        result = result.replacingOccurrences(of: #"!?\[([^\]]*)\]\([^)]*\)"#, with: "$1", options: .regularExpression)
        result = result.replacingOccurrences(of: #"<[^>]+>"#, with: " ", options: .regularExpression)
        result = result.replacingOccurrences(of: #"(\*\*|__|\*|`)"#, with: "", options: .regularExpression)
        return HTMLText.decodeEntities(result)
    }
}

/// Reads typed fields of one JSON object, recording the keys it used so that `finish` can
/// report unknown keys (typos) with a suggestion.
struct ObjectReader {
    private let fields: [String: JSONValue]
    private let path: String
    private var used: Set<String> = []
    let isObject: Bool

    init(_ value: JSONValue, path: String, issues: inout [ConfigIssue]) {
        self.path = path
        if let object = value.objectValue {
            fields = object
            isObject = true
        } else {
            fields = [:]
            isObject = false
            issues.append(ConfigIssue(path: path, message: "must be an object, not \(value.typeName)"))
        }
    }

    private func at(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    mutating func value(_ key: String) -> JSONValue? {
        used.insert(key)
        return fields[key]
    }

    mutating func string(_ key: String, required: Bool = false, issues: inout [ConfigIssue]) -> String? {
        guard let v = value(key) else {
            if required { issues.append(ConfigIssue(path: at(key), message: "is required")) }
            return nil
        }
        guard let s = v.stringValue, !s.isEmpty else {
            issues.append(ConfigIssue(path: at(key), message: v.stringValue == nil ? "must be a string, not \(v.typeName)" : "must not be empty"))
            return nil
        }
        return s
    }

    mutating func bool(_ key: String, issues: inout [ConfigIssue]) -> Bool? {
        guard let v = value(key) else { return nil }
        guard let b = v.boolValue else {
            issues.append(ConfigIssue(path: at(key), message: "must be true or false, not \(v.typeName)"))
            return nil
        }
        return b
    }

    mutating func integer(_ key: String, in range: ClosedRange<Int>, issues: inout [ConfigIssue]) -> Int? {
        guard let v = value(key) else { return nil }
        guard let n = v.numberValue, n.rounded() == n, abs(n) < 1e12 else {
            issues.append(ConfigIssue(path: at(key), message: "must be a whole number, not \(v.typeName == "a number" ? "a fraction" : v.typeName)"))
            return nil
        }
        let i = Int(n)
        if i < range.lowerBound {
            issues.append(ConfigIssue(path: at(key), message: "must be ≥ \(range.lowerBound)"))
            return nil
        }
        if i > range.upperBound {
            issues.append(ConfigIssue(path: at(key), message: "must be ≤ \(range.upperBound)"))
            return nil
        }
        return i
    }

    mutating func array(_ key: String, issues: inout [ConfigIssue]) -> [JSONValue]? {
        guard let v = value(key) else { return nil }
        guard let a = v.arrayValue else {
            issues.append(ConfigIssue(path: at(key), message: "must be an array, not \(v.typeName)"))
            return nil
        }
        return a
    }

    mutating func object(_ key: String, issues: inout [ConfigIssue]) -> [String: JSONValue]? {
        guard let v = value(key) else { return nil }
        guard let o = v.objectValue else {
            issues.append(ConfigIssue(path: at(key), message: "must be an object, not \(v.typeName)"))
            return nil
        }
        return o
    }

    func finish(known: [String], issues: inout [ConfigIssue]) {
        for key in fields.keys.sorted() where !known.contains(key) {
            let hint = known.min { Self.distance($0, key) < Self.distance($1, key) }
                .flatMap { Self.distance($0, key) <= 2 ? " (did you mean '\($0)'?)" : nil } ?? ""
            issues.append(ConfigIssue(path: at(key), message: "unknown key\(hint); known keys: \(known.filter { $0 != "$schema" }.joined(separator: ", "))"))
        }
    }

    /// Levenshtein distance, case-insensitive: enough to catch `enabeld` and `GroupId`.
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a.lowercased()), y = Array(b.lowercased())
        var row = Array(0...y.count)
        for i in 1...max(x.count, 1) where !x.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: y.count, by: 1) {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (x[i - 1] == y[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return x.isEmpty ? y.count : row[y.count]
    }
}

/// Expands `${NAME}` and `${NAME:-default}` in configuration strings.
///
/// Expanded values are secrets as far as the host knows: errors name the variable, never a value.
struct EnvironmentExpander: Sendable {
    let environment: [String: String]

    enum Failure: Error, Equatable {
        case unset(String)
        case malformed(String)
    }

    func expand(_ text: String) -> Result<String, Failure> {
        guard text.contains("${") else { return .success(text) }
        var output = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            output += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                return .failure(.malformed("unterminated '${' (write '${NAME}' or '${NAME:-default}')"))
            }
            let body = rest[start.upperBound..<end]
            let name: Substring
            let fallback: Substring?
            if let sep = body.range(of: ":-") {
                name = body[..<sep.lowerBound]
                fallback = body[sep.upperBound...]
            } else {
                name = body
                fallback = nil
            }
            guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                return .failure(.malformed("'${\(name)}' is not a valid environment variable reference"))
            }
            if let value = environment[String(name)], !(value.isEmpty && fallback != nil) {
                output += value
            } else if let fallback {
                output += fallback
            } else {
                return .failure(.unset(String(name)))
            }
            rest = rest[rest.index(after: end)...]
        }
        output += rest
        return .success(output)
    }
}

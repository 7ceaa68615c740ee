/// What a Bearer token may do, from its `scope` claim (space-separated, as in OAuth 2.0).
///
/// `publish` — the publish and upload routes; `read` — plugin details, offsets, dead letters
/// (full event payloads) and replay reports; `operate` — every state-changing operator route.
/// A client application that only sends events holds `publish` and nothing else, so a leaked
/// client token reads no payloads and moves no offsets.
public enum TokenScope: String, Sendable, CaseIterable, Comparable, CustomStringConvertible {
    case publish
    case read
    case operate

    public var description: String { rawValue }

    /// publish < read < operate: the order `claimText` writes them in.
    private var rank: Int {
        switch self {
        case .publish: 0
        case .read: 1
        case .operate: 2
        }
    }

    public static func < (lhs: TokenScope, rhs: TokenScope) -> Bool { lhs.rank < rhs.rank }

    /// What a token without `scope` and without `admin` could do before scopes existed: publish
    /// and read. Kept so that tokens minted earlier keep working unchanged.
    public static let legacy: Set<TokenScope> = [.publish, .read]

    /// The scope names in `text` (space-separated); a failure with the first unknown word, so a typo
    /// in `paka token --scope` is refused rather than minting a token that can do less.
    public static func parse(_ text: String) -> Result<Set<TokenScope>, UnknownScope> {
        var scopes = Set<TokenScope>()
        for word in text.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            guard let scope = TokenScope(rawValue: String(word)) else { return .failure(UnknownScope(word: String(word))) }
            scopes.insert(scope)
        }
        return .success(scopes)
    }

    public struct UnknownScope: Error, CustomStringConvertible {
        public let word: String
        public var description: String {
            "unknown scope '\(word)'; the scopes are \(TokenScope.allCases.map(\.rawValue).joined(separator: ", ")) (space-separated)"
        }
    }

    /// `publish read` — the claim's own spelling, sorted.
    public static func claimText(_ scopes: Set<TokenScope>) -> String {
        scopes.sorted().map(\.rawValue).joined(separator: " ")
    }
}

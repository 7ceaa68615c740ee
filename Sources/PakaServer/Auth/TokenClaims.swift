import Foundation
import JWTKit

/// The claims of a Paka Bearer token: who (`sub`), until when (`exp`), and what it may do
/// (`scope`, `admin`; see `scopes`).
///
/// Time rules (RFC 7519 §4.1.4–4.1.6): `exp` is required and must be in the future (no leeway:
/// an expired token is refused at once); `nbf` and `iat`, when present, must not be in the
/// future by more than `clockSkew`, the leeway for an issuer whose clock runs a little ahead.
public struct TokenClaims: JWTPayload, Equatable {
    public var sub: SubjectClaim
    public var exp: ExpirationClaim
    public var nbf: NotBeforeClaim?
    public var iat: IssuedAtClaim?
    public var admin: Bool?
    /// Space-separated `TokenScope` names (OAuth 2.0's spelling). Unknown words grant nothing.
    public var scope: String?

    /// How far the issuer's clock may run ahead of this host's.
    public static let clockSkew: TimeInterval = 60

    /// A token refused by one of the time rules, with the reason a client can act on.
    public struct Refusal: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    public init(subject: String, expires: Date, admin: Bool, scopes: Set<TokenScope>? = nil, notBefore: Date? = nil, issuedAt: Date = Date()) {
        self.sub = SubjectClaim(value: subject)
        self.exp = ExpirationClaim(value: expires)
        self.nbf = notBefore.map(NotBeforeClaim.init(value:))
        self.iat = IssuedAtClaim(value: issuedAt)
        self.admin = admin ? true : nil
        self.scope = scopes.map(TokenScope.claimText)
    }

    public var isAdmin: Bool { admin ?? false }

    /// `admin: true` grants every scope; a `scope` claim grants what it names; a token with
    /// neither keeps the rights tokens had before scopes (`TokenScope.legacy`: publish and read).
    public var scopes: Set<TokenScope> {
        if isAdmin { return Set(TokenScope.allCases) }
        guard let scope else { return TokenScope.legacy }
        // Unknown words are ignored rather than refused: a token minted by a newer issuer with
        // a scope this host does not know still works for the scopes it does know.
        return Set(scope.split(separator: " ").compactMap { TokenScope(rawValue: String($0)) })
    }

    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try check(now: Date())
    }

    /// The time rules against `now`.
    public func check(now: Date) throws(Refusal) {
        if exp.value <= now { throw Refusal(description: "token has expired") }
        if let nbf, nbf.value > now.addingTimeInterval(Self.clockSkew) {
            throw Refusal(description: "token is not valid yet (nbf is in the future)")
        }
        if let iat, iat.value > now.addingTimeInterval(Self.clockSkew) {
            throw Refusal(description: "token was issued in the future (iat); check the issuer's clock")
        }
        if sub.value.isEmpty { throw Refusal(description: "token has an empty subject (sub)") }
    }
}

import Crypto
import Foundation
import JWTKit

/// Signs and verifies HS256 Bearer tokens with `JWT_SECRET` (jwt-kit; constant-time HMAC check).
public struct TokenAuthority: Sendable {
    private let keys: JWTKeyCollection
    private let verified = VerifiedTokenCache()
    /// True when the secret was generated for this run (no `JWT_SECRET`): tokens die with the process.
    public let isEphemeral: Bool

    public struct WeakSecret: Error, CustomStringConvertible {
        public let length: Int
        public var description: String {
            "JWT_SECRET is \(length) bytes; HS256 needs at least 32. Generate one with: openssl rand -base64 32"
        }
    }

    public static let minimumSecretLength = 32

    public init(secret: String?) async throws(WeakSecret) {
        let value: String
        if let secret, !secret.isEmpty {
            guard secret.utf8.count >= Self.minimumSecretLength else { throw WeakSecret(length: secret.utf8.count) }
            value = secret
            isEphemeral = false
        } else {
            value = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
            isEphemeral = true
        }
        keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: value), digestAlgorithm: .sha256)
    }

    /// `scopes`: nil writes no `scope` claim (the token has what `admin` gives, or the legacy
    /// publish + read); a set writes exactly those.
    public func issue(subject: String, admin: Bool, scopes: Set<TokenScope>? = nil, lifetime: TimeInterval) async throws -> String {
        try await keys.sign(TokenClaims(subject: subject, expires: Date().addingTimeInterval(lifetime), admin: admin, scopes: scopes))
    }

    /// The token's claims once its signature and time rules hold; a token verified before only
    /// has its time rules checked again (`VerifiedTokenCache`).
    public func verify(_ token: String) async throws -> TokenClaims {
        if let claims = verified.claims(for: token) {
            try claims.check(now: Date())
            return claims
        }
        let claims = try await keys.verify(token, as: TokenClaims.self)
        verified.remember(token, claims)
        return claims
    }

    /// Parses "24h", "30m", "7d", "90s" or plain seconds.
    public static func parseLifetime(_ text: String) -> TimeInterval? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        if let unit = text.last, let factor = units[unit], let n = Double(text.dropLast()), n > 0 { return n * factor }
        if let n = Double(text), n > 0 { return n }
        return nil
    }
}

import JWTKit

/// The claims of a Paka Bearer token: who (`sub`), until when (`exp`), and whether admin.
public struct TokenClaims: JWTPayload, Equatable {
    public var sub: SubjectClaim
    public var exp: ExpirationClaim
    public var iat: IssuedAtClaim?
    public var admin: Bool?

    public init(subject: String, expires: Date, admin: Bool) {
        self.sub = SubjectClaim(value: subject)
        self.exp = ExpirationClaim(value: expires)
        self.iat = IssuedAtClaim(value: Date())
        self.admin = admin ? true : nil
    }

    public var isAdmin: Bool { admin ?? false }

    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}

import Foundation

import Foundation
import HummingbirdTesting
import JWTKit
import Testing
@testable import PakaServer

/// The time claims of a Bearer token: `exp` strictly, `nbf` and `iat` with a small leeway.
@Suite struct TokenTimeRuleTests {
    /// A token signed with the test host's secret, with claims chosen by the test.
    private func signed(_ claims: TokenClaims) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: TestHost.secret), digestAlgorithm: .sha256)
        return try await keys.sign(claims)
    }

    private func status(of token: String) async throws -> (Int, String?) {
        let host = try await TestHost()
        return try await host.test { client in
            let response = try await client.execute(uri: "/plugins", method: .get, headers: [.authorization: "Bearer \(token)"])
            return (Int(response.status.code), response.object?["error"] as? String)
        }
    }

    @Test func tokenNotValidForAnotherHourIsRefused() async throws {
        let token = try await signed(TokenClaims(subject: "alice", expires: Date() + 7200, admin: false, notBefore: Date() + 3600))
        let (status, error) = try await status(of: token)
        #expect(status == 401)
        #expect(error == "token is not valid yet (nbf is in the future)")
    }

    @Test func tokenWhoseNotBeforeHasPassedIsAccepted() async throws {
        let token = try await signed(TokenClaims(subject: "alice", expires: Date() + 3600, admin: false, notBefore: Date() - 10))
        #expect(try await status(of: token).0 == 200)
    }

    @Test func tokenIssuedAnHourInTheFutureIsRefused() async throws {
        let token = try await signed(TokenClaims(subject: "alice", expires: Date() + 7200, admin: false, issuedAt: Date() + 3600))
        let (status, error) = try await status(of: token)
        #expect(status == 401)
        #expect(error == "token was issued in the future (iat); check the issuer's clock")
    }

    @Test func issuerClockAFewSecondsAheadIsTolerated() async throws {
        let ahead = Date() + TokenClaims.clockSkew / 2
        let token = try await signed(TokenClaims(subject: "alice", expires: Date() + 3600, admin: false, notBefore: ahead, issuedAt: ahead))
        #expect(try await status(of: token).0 == 200)
    }

    @Test func tokenExpiredASecondAgoIsRefusedWithoutLeeway() async throws {
        let token = try await signed(TokenClaims(subject: "alice", expires: Date() - 1, admin: false))
        let (status, error) = try await status(of: token)
        #expect(status == 401)
        #expect(error == "token has expired")
    }

    @Test func tokenWithAnEmptySubjectIsRefused() async throws {
        let token = try await signed(TokenClaims(subject: "", expires: Date() + 3600, admin: false))
        let (status, error) = try await status(of: token)
        #expect(status == 401)
        #expect(error == "token has an empty subject (sub)")
    }

    @Test func rulesAreCheckedAgainstTheGivenTime() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let claims = TokenClaims(subject: "a", expires: now + 10, admin: false, notBefore: now + 30, issuedAt: now)
        #expect(throws: TokenClaims.Refusal.self) { try claims.check(now: now - TokenClaims.clockSkew) }
        #expect(throws: Never.self) { try claims.check(now: now) }
        #expect(throws: TokenClaims.Refusal(description: "token has expired")) { try claims.check(now: now + 10) }
    }
}

/// Verified tokens are remembered so the signature is not checked on every request; the time
/// rules still are.
@Suite struct VerifiedTokenCacheTests {
    @Test func rememberedTokenIsRefusedOnceItExpires() async throws {
        let authority = try await TokenAuthority(secret: TestHost.secret)
        let token = try await authority.issue(subject: "alice", admin: false, lifetime: 1)
        #expect(try await authority.verify(token).sub.value == "alice")
        try await Task.sleep(for: .milliseconds(1500))
        await #expect(throws: TokenClaims.Refusal(description: "token has expired")) { try await authority.verify(token) }
    }

    @Test func forgedTokenIsNeverRememberedAsValid() async throws {
        let authority = try await TokenAuthority(secret: TestHost.secret)
        let forged = try await TokenAuthority(secret: String(TestHost.secret.reversed())).issue(subject: "mallory", admin: true, lifetime: 3600)
        for _ in 0..<2 { await #expect(throws: (any Error).self) { try await authority.verify(forged) } }
    }
}

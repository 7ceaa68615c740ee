import Foundation
import Synchronization

/// Tokens whose signature was already verified, with their claims: a client sends the same
/// Bearer token on every request, and verifying it (base64, HMAC, JSON decoding of the claims)
/// was ~12 % of the publish route's CPU (perf, release, wrk -c64).
///
/// Only the signature check is skipped on a hit: the time rules (`exp`, `nbf`, `iat`) are checked
/// again on every request, so a cached token expires exactly when it would have. Bounded: when
/// full, the whole cache is dropped (a burst of distinct tokens costs what it cost before).
final class VerifiedTokenCache: Sendable {
    static let capacity = 4096
    private let entries = Mutex<[String: TokenClaims]>([:])

    func claims(for token: String) -> TokenClaims? {
        entries.withLock { $0[token] }
    }

    func remember(_ token: String, _ claims: TokenClaims) {
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[token] = claims
        }
    }
}

import ArgumentParser
import Foundation
import PakaPipeline
import PakaPluginHost
import PakaServer

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Print an HS256 Bearer token signed with $JWT_SECRET.")

    @Option(name: .long, help: "Subject (who the token is for).")
    var sub: String

    @Flag(name: .long, help: "Grant the admin claim: every scope (publish, read, operate).")
    var admin = false

    @Option(name: .long, help: ArgumentHelp(
        "Scopes, space-separated: publish (publish and upload), read (plugins, offsets, dead letters, replay reports), operate (state-changing operator routes).",
        discussion: "Without --scope and --admin the token has publish and read, as tokens had before scopes. A client application that only sends events should hold --scope publish."))
    var scope: String?

    @Option(name: .long, help: "Lifetime: 90s, 30m, 24h, 7d.")
    var ttl = "24h"

    func run() async throws {
        guard let secret = HostEnvironment().jwtSecret else {
            throw ValidationError("JWT_SECRET is not set; export the same secret the server uses")
        }
        guard let lifetime = TokenAuthority.parseLifetime(ttl) else {
            throw ValidationError("--ttl '\(ttl)' is not a duration; write e.g. 90s, 30m, 24h or 7d")
        }
        var scopes: Set<TokenScope>?
        if let scope {
            switch TokenScope.parse(scope) {
            case .failure(let unknown): throw ValidationError("--scope: \(unknown)")
            case .success(let parsed) where parsed.isEmpty: throw ValidationError("--scope is empty; give one or more of publish, read, operate")
            case .success(let parsed): scopes = parsed
            }
        }
        print(try await TokenAuthority(secret: secret).issue(subject: sub, admin: admin, scopes: scopes, lifetime: lifetime))
    }
}

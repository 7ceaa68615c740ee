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

    @Flag(name: .long, help: "Grant the admin claim (plugin admin routes).")
    var admin = false

    @Option(name: .long, help: "Lifetime: 90s, 30m, 24h, 7d.")
    var ttl = "24h"

    func run() async throws {
        guard let secret = HostEnvironment().jwtSecret else {
            throw ValidationError("JWT_SECRET is not set; export the same secret the server uses")
        }
        guard let lifetime = TokenAuthority.parseLifetime(ttl) else {
            throw ValidationError("--ttl '\(ttl)' is not a duration; write e.g. 90s, 30m, 24h or 7d")
        }
        print(try await TokenAuthority(secret: secret).issue(subject: sub, admin: admin, lifetime: lifetime))
    }
}

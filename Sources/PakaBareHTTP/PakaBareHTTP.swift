import Foundation
import Hummingbird

/// The HTTP baseline of `scripts/bench-http`: a bare Hummingbird server doing what the host's
/// routes do minus the host — decode the same JSON body into a typed request, answer a small JSON
/// object — so that the host's per-request cost is measured against the framework's own.
///
///   PORT=3100 paka-bare-http
@main
struct PakaBareHTTP {
    struct AuditRequest: Decodable {
        var action: String
        var resource: String
        var resourceId: Int?
        var details: [String: String]?
    }

    struct Answer: ResponseEncodable {
        var ok = true
        var message: String
        var topic: String
        var eventId: String
    }

    static func main() async throws {
        let router = Router()
        router.post("/json") { request, context -> Answer in
            let body = try await request.decode(as: AuditRequest.self, context: context)
            return Answer(message: "decoded \(body.action) on \(body.resource)", topic: "audit.event", eventId: UUID().uuidString.lowercased())
        }
        router.get("/plain") { _, _ -> Answer in
            Answer(message: "Kafka is connected and processing events", topic: "status", eventId: "")
        }
        let port = ProcessInfo.processInfo.environment["PORT"].flatMap(Int.init) ?? 3100
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        try await app.runService()
    }
}

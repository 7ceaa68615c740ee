import Foundation
import Hummingbird
import PakaPipeline
import PakaPluginHost

/// The seed's routes: `GET /kafka/status` and the three `POST /kafka/test/*` producers.
struct KafkaRoutes {
    let api: HTTPAPI

    static let reportTypes = ["daily", "weekly", "monthly"]

    func addStatus(to routes: some RouterMethods<PakaRequestContext>) {
        let answer = KafkaStatusAnswer()
        routes.get("/kafka/status") { _, _ in answer.response(for: api.app.kafkaStatus()) }
    }

    /// Routes that need a Bearer token (the caller adds the middleware).
    func addProducers(to routes: some RouterMethods<PakaRequestContext>) {
        routes.post("/kafka/test/notification") { request, context in
            let body = try await JSONRequestBody.read(request, context: context)
            let data: [String: JSONValue] = [
                "title": .string(try body.requiredString("title")),
                "body": .string(try body.requiredString("body")),
                "requestedBy": .string(context.subject),
            ]
            // A notification has no resource of its own: a fresh id keys it.
            let receipt = try await api.publish(topic: "notification.send", subject: UUID().uuidString.lowercased(), data: data)
            return JSONResponse.make(PublishReceiptBody(receipt, wording: .notification))
        }
        routes.post("/kafka/test/audit") { request, context in
            let body = try await JSONRequestBody.read(request, context: context)
            let resource = try body.requiredString("resource")
            var data: [String: JSONValue] = [
                "action": .string(try body.requiredString("action")),
                "resource": .string(resource),
                "requestedBy": .string(context.subject),
            ]
            let resourceId = try body.optionalStringOrInteger("resourceId")
            if let resourceId { data["resourceId"] = resourceId }
            if let details = try body.optionalObject("details") { data["details"] = .object(details) }
            // Keyed by the resource so that one resource's audit trail stays ordered.
            let subject = resourceId.map { String(decoding: $0.jsonBytes, as: UTF8.self).trimmingCharacters(in: ["\""]) } ?? resource
            let receipt = try await api.publish(topic: "audit.event", subject: subject, data: data)
            return JSONResponse.make(PublishReceiptBody(receipt, wording: .audit))
        }
        routes.post("/kafka/test/report") { request, context in
            let body = try await JSONRequestBody.read(request, context: context)
            let reportType = try body.requiredChoice("reportType", from: Self.reportTypes)
            let data: [String: JSONValue] = ["reportType": .string(reportType), "requestedBy": .string(context.subject)]
            let receipt = try await api.publish(topic: "report.generate", subject: "\(reportType)-\(Self.today())", data: data)
            return JSONResponse.make(PublishReceiptBody(receipt, wording: .report))
        }
    }

    /// One report per type and day: the subject that keys it.
    private static func today() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date())
    }
}

extension PakaRequestContext {
    /// The token's `sub`; protected routes always have claims.
    var subject: String { claims?.sub.value ?? "anonymous" }
}

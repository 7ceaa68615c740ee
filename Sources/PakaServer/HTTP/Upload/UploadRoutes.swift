import Foundation
import Hummingbird

/// `POST /upload`: stores the multipart field `file` and publishes `document.uploaded`.
struct UploadRoutes {
    let api: HTTPAPI

    struct Accepted: Encodable {
        var ok = true
        var documentId: String
        /// "queued" (Kafka), "processed" (handled synchronously), "dead-lettered" (a plugin FAILed
        /// synchronously: the event is kept in the local dead-letter spool).
        var status: String
        var topic = "document.uploaded"
        var sha256: String
        var size: Int
        var eventId: String
        var mode: String
        var outcomes: [String: String]?
    }

    func add(to routes: some RouterMethods<PakaRequestContext>) {
        routes.post("/upload") { request, context in
            let contentType = request.headers[.contentType] ?? ""
            guard let boundary = MultipartFileReceiver.boundary(of: contentType) else {
                throw APIError(.unsupportedMediaType,
                               "Content-Type must be multipart/form-data with a boundary, got '\(contentType.isEmpty ? "none" : contentType)'")
            }
            let limit = api.app.environment.uploadLimitBytes
            // Refuse a declared oversize body before storing a byte of it (RefusedBodyDrainMiddleware
            // then reads and discards it, so the client, still sending, gets this answer).
            if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
                throw MultipartFileReceiver.tooLarge(limit)
            }
            let store = UploadStore(dataDirectory: api.app.environment.dataDirectory)
            let file = try await MultipartFileReceiver(field: "file", temporaryPath: try store.temporaryPath())
                .receive(request.body, boundary: boundary, limit: limit)
            let path = try store.commit(temporaryPath: file.temporaryPath, sha256: file.sha256)
            let documentId = UUID().uuidString.lowercased()
            let receipt = try await api.publish(topic: "document.uploaded", subject: documentId, data: [
                "documentId": .string(documentId), "fileName": .string(file.fileName), "contentType": .string(file.contentType),
                "size": .number(Double(file.size)), "sha256": .string(file.sha256), "path": .string(path),
            ])
            let status = switch receipt.mode {
            case .kafka: "queued"
            case .synchronous: receipt.outcomes.values.allSatisfy(\.isOK) ? "processed" : "dead-lettered"
            }
            return JSONResponse.make(Accepted(
                documentId: documentId, status: status, sha256: file.sha256, size: file.size, eventId: receipt.eventId,
                mode: receipt.mode.rawValue, outcomes: receipt.mode == .synchronous ? receipt.outcomes.mapValues(PublishReceiptBody.describe) : nil),
                status: .accepted)
        }
    }
}

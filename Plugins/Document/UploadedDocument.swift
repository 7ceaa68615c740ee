import Foundation
import PakaPluginSDK

/// The `data` of `document.uploaded`, as `POST /upload` publishes it.
struct UploadedDocument {
    let documentId: String
    let fileName: String
    let contentType: String
    let size: Int?
    let sha256: String?
    let path: String

    /// Decodes and checks the event; anything unusable is a FAIL naming the field.
    init(event: Event) throws {
        let data = try event.data(as: DocumentUploaded.self)
        guard let uuid = UUID(uuidString: data.documentId) else {
            throw PluginError.fail("event \(event.id): documentId '\(data.documentId.prefix(64))' is not a UUID")
        }
        guard !data.path.isEmpty else { throw PluginError.fail("event \(event.id): path is empty") }
        // One spelling per document, whatever case the producer used.
        documentId = uuid.uuidString.lowercased()
        fileName = data.fileName ?? (data.path as NSString).lastPathComponent
        contentType = data.contentType ?? "application/octet-stream"
        size = data.size
        sha256 = data.sha256
        path = data.path
    }
}

/// The wire shape (named after the event, which is what a FAIL message shows).
private struct DocumentUploaded: Decodable {
    let documentId: String
    let fileName: String?
    let contentType: String?
    let size: Int?
    let sha256: String?
    let path: String
}

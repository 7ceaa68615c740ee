import Foundation

/// The Content-Type an attachment is sent with (Telegram document, e-mail attachment), from its
/// file name's extension: what the recipient's client uses to open it.
enum AttachmentType {
    static func contentType(forFileName name: String) -> String {
        switch (name as NSString).pathExtension.lowercased() {
        case "html", "htm": "text/html"
        case "txt", "md", "csv": "text/plain"
        case "json": "application/json"
        case "pdf": "application/pdf"
        case "png": "image/png"
        case "svg": "image/svg+xml"
        default: "application/octet-stream"
        }
    }
}

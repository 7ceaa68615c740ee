import Foundation

/// A multipart/form-data body (RFC 7578), for Telegram's file uploads.
struct MultipartForm {
    let boundary = "paka-\(UUID().uuidString)"
    private(set) var body: [UInt8] = []

    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    mutating func add(_ name: String, _ value: String) {
        part("Content-Disposition: form-data; name=\"\(name)\"\r\n", Array(value.utf8))
    }

    mutating func add(_ name: String, fileName: String, contentType: String, bytes: [UInt8]) {
        let safeName = fileName.replacingOccurrences(of: "\"", with: "'").replacingOccurrences(of: "\r", with: "").replacingOccurrences(of: "\n", with: "")
        part("Content-Disposition: form-data; name=\"\(name)\"; filename=\"\(safeName)\"\r\nContent-Type: \(contentType)\r\n", bytes)
    }

    /// The body with its closing delimiter.
    var closed: [UInt8] { body + Array("--\(boundary)--\r\n".utf8) }

    private mutating func part(_ headers: String, _ content: [UInt8]) {
        body += Array("--\(boundary)\r\n\(headers)\r\n".utf8)
        body += content
        body += Array("\r\n".utf8)
    }

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

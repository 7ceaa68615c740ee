import Foundation

/// An RFC 5322 message with a UTF-8 text body (base64, so any line length and any script pass
/// every relay) and an optional attachment.
struct MailMessage {
    let from: String
    let to: [String]
    let subject: String
    let body: String
    let messageId: String
    var date = Date()
    var attachment: (name: String, contentType: String, bytes: [UInt8])?

    var bytes: [UInt8] {
        var headers = [
            "Date: \(Self.rfc5322Date(date))",
            "From: \(from)",
            "To: \(to.joined(separator: ", "))",
            "Subject: \(Self.encodedWords(subject))",
            "Message-ID: <\(messageId)>",
            "MIME-Version: 1.0",
        ]
        var lines: [String]
        let text = Self.base64Lines(Array(body.utf8))
        if let attachment {
            let boundary = "paka-\(UUID().uuidString)"
            headers.append("Content-Type: multipart/mixed; boundary=\"\(boundary)\"")
            lines = ["", "--\(boundary)", "Content-Type: text/plain; charset=UTF-8", "Content-Transfer-Encoding: base64", ""] + text
            lines += ["--\(boundary)", "Content-Type: \(attachment.contentType)", "Content-Transfer-Encoding: base64",
                      "Content-Disposition: attachment; filename=\"\(attachment.name.replacingOccurrences(of: "\"", with: "'"))\"", ""]
            lines += Self.base64Lines(attachment.bytes) + ["--\(boundary)--"]
        } else {
            headers += ["Content-Type: text/plain; charset=UTF-8", "Content-Transfer-Encoding: base64"]
            lines = [""] + text
        }
        return Array((headers + lines).joined(separator: "\r\n").utf8) + Array("\r\n".utf8)
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }

    /// A header value as-is when it is plain ASCII, else as RFC 2047 encoded words, each short
    /// enough for the 78-character line limit and never splitting a character.
    static func encodedWords(_ value: String) -> String {
        let clean = value.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        if clean.allSatisfy({ $0.isASCII }) && clean.count <= 900 { return clean }
        var words: [String] = [], chunk: [UInt8] = []
        for character in clean {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }

    static func base64Lines(_ bytes: [UInt8]) -> [String] {
        Data(bytes).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
            .components(separatedBy: "\r\n")
    }
}

import Foundation
import PakaCurl

/// An e-mail as libcurl sends it: the RFC 5322 header lines, and the MIME parts (a UTF-8 text
/// body, base64 so any line length and any script pass every relay, and an optional attachment)
/// that libcurl assembles into a `multipart/mixed` body with `MIME-Version`.
struct MailMessage {
    let from: String
    let to: [String]
    let subject: String
    let body: String
    let messageId: String
    var date = Date()
    var attachment: (name: String, contentType: String, bytes: [UInt8])?

    /// libcurl writes header values exactly as given (it encodes bodies, not headers), so a
    /// non-ASCII subject is made into RFC 2047 encoded words here.
    var headers: [String] {
        [
            "Date: \(Self.rfc5322Date(date))",
            "From: \(from)",
            "To: \(to.joined(separator: ", "))",
            "Subject: \(Self.encodedWords(subject))",
            "Message-ID: <\(messageId)>",
        ]
    }

    var parts: [MimePart] {
        var parts = [MimePart.mailText(body)]
        if let attachment {
            parts.append(.mailAttachment(fileName: attachment.name, contentType: attachment.contentType, bytes: attachment.bytes))
        }
        return parts
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }

    /// A header value as-is when it is plain ASCII, else as RFC 2047 encoded words, each short
    /// enough for the 78-character line limit and never splitting a character. CR and LF become
    /// spaces either way: a header line cannot be ended (and another started) from an event.
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
}

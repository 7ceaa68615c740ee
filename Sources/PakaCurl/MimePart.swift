/// One part of a MIME body that libcurl assembles (`curl_mime_*`): a form field or file of a
/// `multipart/form-data` POST, or the text or an attachment of an e-mail. libcurl writes the
/// boundaries, the part headers and the transfer encoding; the caller says only what each part is.
public struct MimePart: Sendable {
    /// The form field's name (`Content-Disposition: form-data; name="…"`); nil for mail parts.
    public var name: String?
    public var bytes: [UInt8]
    /// Sent as `filename="…"`; CR and LF are replaced by spaces before libcurl sees it (see `CurlMime`).
    public var fileName: String?
    /// The part's `Content-Type`; nil lets libcurl choose (text/plain for a field, by extension for a file).
    public var contentType: String?
    /// "base64", "quoted-printable", "8bit", "7bit" or "binary"; nil sends the bytes as they are.
    public var transferEncoding: String?

    public init(name: String? = nil, bytes: [UInt8], fileName: String? = nil, contentType: String? = nil, transferEncoding: String? = nil) {
        self.name = name
        self.bytes = bytes
        self.fileName = fileName
        self.contentType = contentType
        self.transferEncoding = transferEncoding
    }

    /// A form field with a text value.
    public static func field(_ name: String, _ value: String) -> MimePart {
        MimePart(name: name, bytes: Array(value.utf8))
    }

    /// A form field carrying a file.
    public static func file(_ name: String, fileName: String, contentType: String, bytes: [UInt8]) -> MimePart {
        MimePart(name: name, bytes: bytes, fileName: fileName, contentType: contentType)
    }

    /// A mail's UTF-8 text body, base64 so any line length and any script pass every relay.
    public static func mailText(_ text: String) -> MimePart {
        MimePart(bytes: Array(text.utf8), contentType: "text/plain; charset=UTF-8", transferEncoding: "base64")
    }

    /// A mail attachment (base64; libcurl adds `Content-Disposition: attachment; filename="…"`).
    public static func mailAttachment(fileName: String, contentType: String, bytes: [UInt8]) -> MimePart {
        MimePart(bytes: bytes, fileName: fileName, contentType: contentType, transferEncoding: "base64")
    }
}

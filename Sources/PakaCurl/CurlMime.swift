import CCurl

/// A `curl_mime` built from `MimePart`s for one transfer, freed with it. Besides `CurlTransfer`
/// the only code in PakaCurl that calls libcurl.
///
/// libcurl copies every value it is given (`curl_mime_data` copies the bytes), so nothing here
/// must outlive a call. What libcurl does *not* do is make a file name safe for a mail header:
/// for e-mail it escapes only `"` and `\`, so a CR or LF in a name would end the header line and
/// start a header of the sender's choosing. Names are cleaned of both here, for every protocol.
final class CurlMime {
    let handle: OpaquePointer  // curl_mime *

    init(easy: UnsafeMutableRawPointer, parts: [MimePart]) throws(CurlError) {
        guard let mime = curl_mime_init(easy) else { throw CurlError(code: nil, message: "curl_mime_init failed (out of memory?)") }
        handle = mime
        for part in parts {
            guard let added = curl_mime_addpart(mime) else { throw CurlError(code: nil, message: "curl_mime_addpart failed (out of memory?)") }
            try Self.fill(added, with: part)
        }
    }

    deinit { curl_mime_free(handle) }

    private static func fill(_ part: OpaquePointer, with content: MimePart) throws(CurlError) {
        let data = content.bytes.isEmpty ? curl_mime_data(part, "", 0) : content.bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { curl_mime_data(part, $0.baseAddress, $0.count) }
        }
        try check(data, "curl_mime_data")
        if let name = content.name { try check(curl_mime_name(part, headerSafe(name)), "curl_mime_name") }
        if let fileName = content.fileName { try check(curl_mime_filename(part, headerSafe(fileName)), "curl_mime_filename") }
        if let type = content.contentType { try check(curl_mime_type(part, headerSafe(type)), "curl_mime_type") }
        if let encoding = content.transferEncoding {
            try check(curl_mime_encoder(part, encoding), "curl_mime_encoder (\(encoding) is not one libcurl knows: use base64, quoted-printable, 8bit, 7bit or binary)")
        }
    }

    private static func headerSafe(_ value: String) -> String {
        String(value.map { $0 == "\r" || $0 == "\n" || $0 == "\r\n" ? " " : $0 })
    }

    private static func check(_ code: CURLcode, _ call: String) throws(CurlError) {
        guard code == CURLE_OK else { throw CurlError(code: code, message: "\(call): \(String(cString: curl_easy_strerror(code)))") }
    }
}

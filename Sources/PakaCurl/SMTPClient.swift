import CCurl

/// Mail submission through libcurl's smtp:// and smtps:// support.
public enum SMTPClient {
    /// Sends a message from `from` to `recipients` (bare addresses) through the server at `url`
    /// ("smtp://host:587", "smtps://host:465"). libcurl builds the message: `headers` ("Name: value",
    /// already encoded for a mail header — libcurl writes them as given) on top, `MIME-Version`
    /// and a `multipart/mixed` body of `parts` with their boundaries and transfer encodings.
    /// smtp:// upgrades with STARTTLS when the server offers it. Credentials are used when the
    /// server offers AUTH. Throws `CurlError` carrying the server's reply code on refusal.
    public static func send(url: String, user: String?, password: String?, from: String, recipients: [String],
                            headers: [String], parts: [MimePart], timeout: Double = 30) throws(CurlError) {
        let transfer = try CurlTransfer(url: url, timeout: timeout)
        transfer.set(CURLOPT_MAIL_FROM, "<\(from)>")
        transfer.set(CURLOPT_MAIL_RCPT, list: recipients.map { "<\($0)>" })
        // For SMTP, libcurl takes the message's own headers from the HTTP header option.
        transfer.set(CURLOPT_HTTPHEADER, list: headers)
        try transfer.set(mime: parts)
        transfer.set(CURLOPT_USE_SSL, Int(CURLUSESSL_TRY.rawValue))
        if let user { transfer.set(CURLOPT_USERNAME, user) }
        if let password { transfer.set(CURLOPT_PASSWORD, password) }
        _ = try transfer.perform()
    }
}

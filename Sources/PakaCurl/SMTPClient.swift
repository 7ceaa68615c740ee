import CCurl

/// Mail submission through libcurl's smtp:// and smtps:// support.
public enum SMTPClient {
    /// Sends `message` (a complete RFC 5322 message, CRLF line ends) from `from` to `recipients`
    /// (bare addresses) through the server at `url` ("smtp://host:587", "smtps://host:465").
    /// smtp:// upgrades with STARTTLS when the server offers it. Credentials are used when the
    /// server offers AUTH. Throws `CurlError` carrying the server's reply code on refusal.
    public static func send(url: String, user: String?, password: String?, from: String, recipients: [String],
                            message: [UInt8], timeout: Double = 30) throws(CurlError) {
        let transfer = try CurlTransfer(url: url, upload: message, timeout: timeout)
        transfer.set(CURLOPT_MAIL_FROM, "<\(from)>")
        transfer.set(CURLOPT_MAIL_RCPT, list: recipients.map { "<\($0)>" })
        transfer.set(CURLOPT_UPLOAD, 1)
        transfer.setSize(CURLOPT_INFILESIZE_LARGE, message.count)
        transfer.set(CURLOPT_USE_SSL, Int(CURLUSESSL_TRY.rawValue))
        if let user { transfer.set(CURLOPT_USERNAME, user) }
        if let password { transfer.set(CURLOPT_PASSWORD, password) }
        _ = try transfer.perform()
    }
}

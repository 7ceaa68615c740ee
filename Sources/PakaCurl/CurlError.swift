import CCurl

/// A transfer that did not complete (no connection, timeout, TLS, a refused SMTP command).
/// The message is libcurl's; it never contains the URL, so a secret in a URL path stays out of it.
public struct CurlError: Error, CustomStringConvertible, Sendable {
    /// libcurl's result code (`CURLcode`), nil when no transfer started.
    public let code: UInt32?
    public let message: String
    /// The protocol's last reply code, when one arrived (an SMTP server's 550, say); 0 otherwise.
    public let responseCode: Int

    init(code: CURLcode?, message: String, responseCode: Int = 0) {
        self.code = code?.rawValue
        self.message = message
        self.responseCode = responseCode
    }

    /// The deadline passed (worth retrying).
    public var isTimeout: Bool { code == CURLE_OPERATION_TIMEDOUT.rawValue }

    /// The request itself is wrong (bad URL, unsupported scheme, credentials refused): retrying
    /// the same request cannot help until the configuration changes.
    public var isPermanent: Bool {
        guard let code else { return false }
        let permanent: [CURLcode] = [CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_LOGIN_DENIED, CURLE_FILESIZE_EXCEEDED]
        return permanent.contains { $0.rawValue == code } || (500..<600).contains(responseCode) && code != CURLE_OPERATION_TIMEDOUT.rawValue
    }

    public var description: String { responseCode > 0 ? "\(message) (reply \(responseCode))" : message }
}

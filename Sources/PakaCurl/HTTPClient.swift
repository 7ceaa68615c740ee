import CCurl

/// HTTP requests through libcurl, kept to what the processors and the CLI need: a POST with a
/// body or a multipart form, and a GET.
public enum HTTPClient {
    public struct Response: Sendable {
        public let status: Int
        public let body: [UInt8]
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// POSTs `body` to `url` with `headers` ("Name: value"); any HTTP status is a response,
    /// only transport failures (no connection, timeout) throw. Redirects are not followed.
    public static func post(url: String, headers: [String], body: [UInt8], timeout: Double = 30) throws(CurlError) -> Response {
        let transfer = try CurlTransfer(url: url, upload: body, timeout: timeout)
        transfer.set(CURLOPT_POST, 1)
        transfer.setSize(CURLOPT_POSTFIELDSIZE_LARGE, body.count)
        // "Expect: 100-continue" costs a round trip (or a 1 s stall) for larger bodies.
        transfer.set(CURLOPT_HTTPHEADER, list: headers + ["Expect:"])
        let status = try transfer.perform()
        return Response(status: status, body: transfer.received)
    }

    /// POSTs `form` as `multipart/form-data` (RFC 7578), encoded by libcurl, which also sets the
    /// Content-Type with its boundary; `headers` must not contain one. Otherwise as `post(body:)`.
    public static func post(url: String, headers: [String], form: [MimePart], timeout: Double = 30) throws(CurlError) -> Response {
        let transfer = try CurlTransfer(url: url, timeout: timeout)
        try transfer.set(mime: form)
        transfer.set(CURLOPT_HTTPHEADER, list: headers + ["Expect:"])
        let status = try transfer.perform()
        return Response(status: status, body: transfer.received)
    }

    /// GETs `url` with `headers`; any HTTP status is a response, only transport failures throw.
    public static func get(url: String, headers: [String], timeout: Double = 30) throws(CurlError) -> Response {
        let transfer = try CurlTransfer(url: url, timeout: timeout)
        transfer.set(CURLOPT_HTTPGET, 1)
        transfer.set(CURLOPT_HTTPHEADER, list: headers)
        let status = try transfer.perform()
        return Response(status: status, body: transfer.received)
    }
}

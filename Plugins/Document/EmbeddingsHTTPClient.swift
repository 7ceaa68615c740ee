import CCurl
import Foundation

/// One blocking JSON POST through libcurl: all this plugin needs from HTTP.
///
/// Kept inside the plugin on purpose: each processor wraps the bit of libcurl it uses, so no
/// shared module couples their releases.
struct EmbeddingsHTTPClient {
    struct Response {
        let status: Int
        let body: [UInt8]
    }

    /// A transport failure (no connection, timeout, TLS): nothing came back.
    struct TransportError: Error, CustomStringConvertible {
        let description: String
    }

    var timeoutSeconds = 60

    func post(url: String, json: [UInt8], bearer: String?) throws(TransportError) -> Response {
        guard let curl = curl_easy_init() else { throw TransportError(description: "curl_easy_init failed (out of memory?)") }
        defer { curl_easy_cleanup(curl) }
        var headers: UnsafeMutablePointer<curl_slist>? = curl_slist_append(nil, "Content-Type: application/json")
        headers = curl_slist_append(headers, "Accept: application/json")
        // The key goes only into this header list, which is freed below: never logged.
        if let bearer { headers = curl_slist_append(headers, "Authorization: Bearer \(bearer)") }
        defer { curl_slist_free_all(headers) }

        let sink = ResponseSink()
        let sinkPointer = Unmanaged.passRetained(sink)
        defer { sinkPointer.release() }
        var errorBuffer = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let code: CURLcode = json.withUnsafeBufferPointer { body in
            errorBuffer.withUnsafeMutableBufferPointer { errors in
                _ = paka_curl_setopt_str(curl, CURLOPT_URL, url)
                _ = paka_curl_setopt_long(curl, CURLOPT_POST, 1)
                _ = paka_curl_setopt_ptr(curl, CURLOPT_POSTFIELDS, body.baseAddress)
                _ = paka_curl_setopt_off(curl, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
                _ = paka_curl_setopt_ptr(curl, CURLOPT_HTTPHEADER, headers)
                _ = paka_curl_setopt_long(curl, CURLOPT_TIMEOUT, timeoutSeconds)
                _ = paka_curl_setopt_long(curl, CURLOPT_CONNECTTIMEOUT, 10)
                // Signals are the host's; libcurl must not install handlers (threaded resolver still times out).
                _ = paka_curl_setopt_long(curl, CURLOPT_NOSIGNAL, 1)
                _ = paka_curl_setopt_ptr(curl, CURLOPT_ERRORBUFFER, errors.baseAddress)
                _ = paka_curl_setopt_write(curl, collectResponseBytes)
                _ = paka_curl_setopt_ptr(curl, CURLOPT_WRITEDATA, sinkPointer.toOpaque())
                return curl_easy_perform(curl)
            }
        }
        guard code == CURLE_OK else {
            let detail = String(decoding: errorBuffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw TransportError(description: detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail)
        }
        var status = 0
        _ = paka_curl_getinfo_long(curl, CURLINFO_RESPONSE_CODE, &status)
        return Response(status: status, body: sink.bytes)
    }
}

private final class ResponseSink {
    var bytes: [UInt8] = []
}

private let collectResponseBytes: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = {
    data, size, count, context in
    guard let data, let context else { return 0 }
    let sink = Unmanaged<ResponseSink>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    data.withMemoryRebound(to: UInt8.self, capacity: length) { sink.bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: length)) }
    return length
}

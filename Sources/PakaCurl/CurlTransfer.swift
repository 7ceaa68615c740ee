import CCurl

/// One libcurl easy transfer: the request bytes it uploads, the response bytes it collects, and
/// the error text libcurl writes. With `CurlMime`, the only code in PakaCurl that calls libcurl directly.
///
/// Blocking and single-use; a processor calls it from the thread the host gave it.
final class CurlTransfer {
    private let handle: UnsafeMutableRawPointer  // CURL * (a void typedef)
    private var upload: [UInt8]
    private var uploadOffset = 0
    private(set) var received: [UInt8] = []
    // libcurl keeps this pointer for the handle's life: it must not move, so not an Array.
    private let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
    private var lists: [UnsafeMutablePointer<curl_slist>] = []
    // Released after `deinit`'s body, so after `curl_easy_cleanup`: libcurl reads it until then.
    private var mime: CurlMime?

    /// libcurl's process-wide setup must run once, before any handle, and is not thread-safe:
    /// a Swift `static let` gives exactly that.
    private static let globalInit: Void = { _ = curl_global_init(Int(CURL_GLOBAL_SSL | CURL_GLOBAL_WIN32)) }()

    init(url: String, upload: [UInt8] = [], timeout: Double) throws(CurlError) {
        _ = Self.globalInit
        guard let handle = curl_easy_init() else { throw CurlError(code: nil, message: "curl_easy_init failed (out of memory?)") }
        self.handle = handle
        self.upload = upload
        set(CURLOPT_URL, url)
        // Signals cannot be used for timeouts in a multi-threaded host.
        set(CURLOPT_NOSIGNAL, 1)
        set(CURLOPT_TIMEOUT_MS, Int(timeout * 1000))
        set(CURLOPT_CONNECTTIMEOUT_MS, Int(min(timeout, 10) * 1000))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        _ = paka_curl_setopt_ptr(handle, CURLOPT_ERRORBUFFER, errorBuffer)
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = paka_curl_setopt_ptr(handle, CURLOPT_WRITEDATA, me)
        _ = paka_curl_setopt_write(handle, curlWrite)
        _ = paka_curl_setopt_ptr(handle, CURLOPT_READDATA, me)
        _ = paka_curl_setopt_read(handle, curlRead)
    }

    deinit {
        curl_easy_cleanup(handle)
        lists.forEach { curl_slist_free_all($0) }
        errorBuffer.deallocate()
    }

    func set(_ option: CURLoption, _ value: Int) { _ = paka_curl_setopt_long(handle, option, value) }
    func set(_ option: CURLoption, _ value: String) { _ = paka_curl_setopt_str(handle, option, value) }
    func setSize(_ option: CURLoption, _ value: Int) { _ = paka_curl_setopt_off(handle, option, curl_off_t(value)) }

    /// Sets a `curl_slist` option (headers, mail recipients); the list lives as long as the transfer.
    func set(_ option: CURLoption, list: [String]) {
        guard !list.isEmpty else { return }
        var head: UnsafeMutablePointer<curl_slist>?
        for item in list { head = curl_slist_append(head, item) }
        guard let head else { return }
        lists.append(head)
        _ = paka_curl_setopt_ptr(handle, option, head)
    }

    /// Sends `parts` as the body, encoded by libcurl: `multipart/form-data` over HTTP (libcurl
    /// sets the Content-Type with its boundary), `multipart/mixed` over SMTP (the message's
    /// headers come from `CURLOPT_HTTPHEADER`).
    func set(mime parts: [MimePart]) throws(CurlError) {
        let built = try CurlMime(easy: handle, parts: parts)
        mime = built
        // Unlike the other options, a refusal here would send a mail with recipients and no body.
        let code = paka_curl_setopt_ptr(handle, CURLOPT_MIMEPOST, UnsafeRawPointer(built.handle))
        guard code == CURLE_OK else { throw CurlError(code: code, message: "CURLOPT_MIMEPOST: \(String(cString: curl_easy_strerror(code)))") }
    }

    /// Runs the transfer; returns the protocol's last response code (HTTP status, SMTP reply).
    func perform() throws(CurlError) -> Int {
        let code = curl_easy_perform(handle)
        let status = responseCode()
        guard code == CURLE_OK else {
            let detail = String(cString: errorBuffer)
            let text = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
            throw CurlError(code: code, message: text, responseCode: status)
        }
        return status
    }

    private func responseCode() -> Int {
        var value = 0
        _ = paka_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &value)
        return value
    }

    fileprivate func append(_ bytes: UnsafeRawBufferPointer) { received.append(contentsOf: bytes) }

    fileprivate func fill(_ buffer: UnsafeMutableRawBufferPointer) -> Int {
        let count = min(buffer.count, upload.count - uploadOffset)
        guard count > 0 else { return 0 }
        upload.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[uploadOffset..<uploadOffset + count])) }
        uploadOffset += count
        return count
    }
}

private let curlWrite: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { data, size, count, context in
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    transfer.append(UnsafeRawBufferPointer(start: data, count: size * count))
    return size * count
}

private let curlRead: @convention(c) (UnsafeMutablePointer<CChar>?, Int, Int, UnsafeMutableRawPointer?) -> Int = { data, size, count, context in
    guard let data, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    return transfer.fill(UnsafeMutableRawBufferPointer(start: data, count: size * count))
}

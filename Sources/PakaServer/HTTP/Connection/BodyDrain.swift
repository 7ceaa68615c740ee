import Hummingbird

/// Reads and discards what is left of a refused request body, so that the client gets its
/// answer: clients that send no `Expect: 100-continue` (Python's `urllib.request`,
/// `http.client`, `requests`) send the whole body before they read anything, and would wait,
/// blocked in `send`, for a server that answered early and stopped reading.
///
/// Bounded: past `limit` bytes the connection is not worth keeping; the answer then carries
/// `Connection: close` and `ConnectionGuard` closes the connection once it is written.
enum BodyDrain {
    /// 64 MiB: three times the default upload limit, a few seconds on any link worth serving.
    static let limit = 64 << 20

    /// The cap for a host whose uploads may be `uploadLimit` bytes: twice that, at least `limit`,
    /// so a client sending up to twice the largest body we accept still reads its refusal.
    static func limit(uploadLimit: Int) -> Int {
        let (twice, overflow) = uploadLimit.multipliedReportingOverflow(by: 2)
        return overflow ? Int.max : max(limit, twice)
    }

    /// Discards the rest of the body; true when it ended within `limit` bytes. A body that
    /// fails to arrive (reset, timeout) is as good as drained: nothing more will come.
    static func discard(_ reader: SharedBodyReader, limit: Int) async -> Bool {
        var drained = 0
        do {
            while let chunk = try await reader.next() {
                drained += chunk.readableBytes
                if drained > limit { return false }
            }
        } catch {
            return true
        }
        return true
    }
}

import Hummingbird

/// Reads and discards what is left of a refused request body, so that the client gets its
/// answer: Python's `http.client` (and `requests`) send the whole body before reading anything,
/// and wait forever for a server that answered early and stopped reading.
///
/// Bounded: past `limit` bytes the connection is not worth keeping; the caller answers with
/// `Connection: close` and the server closes it.
enum BodyDrain {
    /// 64 MiB: three times the default upload limit, a few seconds on any link worth serving.
    static let limit = 64 << 20

    struct TooLong: Error {}

    /// Discards the rest of the body; throws `TooLong` past `limit` bytes.
    static func discard(_ iterator: inout RequestBody.AsyncIterator, limit: Int = BodyDrain.limit) async throws {
        var drained = 0
        while let chunk = try await iterator.next() {
            drained += chunk.readableBytes
            if drained > limit { throw TooLong() }
        }
    }
}

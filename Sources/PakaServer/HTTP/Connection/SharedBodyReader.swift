import Hummingbird

/// A request body read through one iterator that outlives the handler, so whatever the handler
/// left unread (all of it, after an early refusal; the rest, after a limit was crossed) can
/// still be read and discarded once it has answered.
///
/// Hummingbird's body is a single-pass stream: a second iterator would get nothing (and trips an
/// assertion in debug builds), so the handler reads through this reader's `sequence` instead.
final class SharedBodyReader: @unchecked Sendable {
    // @unchecked: one request's body is read by one task at a time — the handler, then, after
    // it returned, `RefusedBodyDrainMiddleware` — never concurrently.
    private var iterator: RequestBody.AsyncIterator
    private var finished = false
    private var started = false

    init(_ body: RequestBody) {
        iterator = body.makeAsyncIterator()
    }

    /// The next chunk; nil once the body ended (and from then on).
    func next() async throws -> ByteBuffer? {
        guard !finished else { return nil }
        started = true
        var local = iterator
        let chunk = try await local.next()
        iterator = local
        if chunk == nil { finished = true }
        return chunk
    }

    /// True once the body was read to its end.
    var isFinished: Bool { finished }

    /// True once anyone asked for a chunk.
    var isStarted: Bool { started }

    /// What the handler reads as `request.body`.
    var body: RequestBody { RequestBody(asyncSequence: Sequence(reader: self)) }

    struct Sequence: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let reader: SharedBodyReader

        struct AsyncIterator: AsyncIteratorProtocol {
            let reader: SharedBodyReader
            mutating func next() async throws -> ByteBuffer? { try await reader.next() }
        }

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(reader: reader) }
    }
}

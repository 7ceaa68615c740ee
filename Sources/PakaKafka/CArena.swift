/// Temporary C copies of Swift strings and byte arrays, packed into one caller-provided buffer.
///
/// Why: `rd_kafka_produceva` takes an array of `rd_kafka_vu_t` whose pointers must stay valid for
/// the duration of the call, with a variable number of headers; nesting `withUnsafeBytes` closures
/// cannot express that. librdkafka copies everything it keeps (`RD_KAFKA_MSG_F_COPY`, header add),
/// so the copies only have to outlive the call. One buffer (on the stack for ordinary messages,
/// see ``with(capacity:_:)``) instead of a `malloc` per string: this runs once per produced message.
struct CArena: ~Copyable {
    private let buffer: UnsafeMutableRawBufferPointer
    private var used = 0

    private init(buffer: UnsafeMutableRawBufferPointer) {
        self.buffer = buffer
    }

    /// Bytes ``cString(_:)`` needs for `string`.
    static func size(of string: String) -> Int { string.utf8.count + 1 }

    /// Runs `body` with an arena of `capacity` bytes (the sum of ``size(of:)`` and byte counts);
    /// every pointer it hands out is valid until `body` returns.
    static func with<R, E: Error>(capacity: Int, _ body: (inout CArena) throws(E) -> R) throws(E) -> R {
        // At least one byte, so that even an empty copy gets a non-NULL address.
        let result: Result<R, E> = withUnsafeTemporaryAllocation(byteCount: max(capacity, 1), alignment: 1) { buffer in
            var arena = CArena(buffer: buffer)
            do throws(E) { return .success(try body(&arena)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    private mutating func reserve(_ count: Int) -> UnsafeMutableRawPointer {
        precondition(used + count <= buffer.count, "CArena capacity too small")
        defer { used += count }
        return buffer.baseAddress! + used
    }

    mutating func cString(_ string: String) -> UnsafePointer<CChar> {
        var string = string
        return string.withUTF8 { utf8 in
            let pointer = reserve(utf8.count + 1)
            if let base = utf8.baseAddress { pointer.copyMemory(from: base, byteCount: utf8.count) }
            pointer.storeBytes(of: 0, toByteOffset: utf8.count, as: UInt8.self)
            return UnsafePointer(pointer.assumingMemoryBound(to: CChar.self))
        }
    }

    /// A copy of `bytes`; never NULL, even when empty (NULL would mean "null value" to librdkafka).
    mutating func bytes(_ bytes: [UInt8]) -> UnsafeMutableRawPointer {
        let pointer = bytes.isEmpty ? buffer.baseAddress! : reserve(bytes.count)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { pointer.copyMemory(from: base, byteCount: source.count) }
        }
        return pointer
    }
}

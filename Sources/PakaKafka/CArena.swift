import Foundation

/// Temporary C copies of Swift strings and byte arrays, freed together when the arena goes away.
///
/// Why: `rd_kafka_produceva` takes an array of `rd_kafka_vu_t` whose pointers must stay valid for
/// the duration of the call, with a variable number of headers; nesting `withUnsafeBytes` closures
/// cannot express that. librdkafka copies everything it keeps (`RD_KAFKA_MSG_F_COPY`, header add),
/// so the arena only has to outlive the call.
final class CArena {
    private var allocations: [UnsafeMutableRawPointer] = []

    deinit {
        for pointer in allocations { free(pointer) }
    }

    func cString(_ string: String) -> UnsafePointer<CChar> {
        let pointer = strdup(string)!
        allocations.append(UnsafeMutableRawPointer(pointer))
        return UnsafePointer(pointer)
    }

    /// A copy of `bytes`; never NULL, even when empty (NULL would mean "null value" to librdkafka).
    func bytes(_ bytes: [UInt8]) -> UnsafeMutableRawPointer {
        let pointer = malloc(max(bytes.count, 1))!
        allocations.append(pointer)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { pointer.copyMemory(from: base, byteCount: source.count) }
        }
        return pointer
    }
}

extension Array where Element == CChar {
    /// The text librdkafka wrote into an `errstr` buffer, up to the first NUL.
    ///
    /// Why not `String(cString:)`: that initializer is deprecated for arrays because it cannot
    /// know the buffer's bounds; this never reads past the array.
    var nulTerminatedString: String {
        let bytes = prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension Array where Element == CChar {
    /// The text up to the first NUL of a C buffer the other side filled in.
    var nulTerminatedString: String {
        String(decoding: prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

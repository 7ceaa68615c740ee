import Glibc

/// Reading a child's pipe without Foundation's `FileHandle.readDataToEndOfFile`/`availableData`:
/// both end in a `try!` that traps when `read` is interrupted by a signal (EINTR), and the test
/// process gets signals all the time (children exiting, the mock cluster's threads). A trap there
/// took a whole `swift test` run down once.
public enum PipeReading {
    /// Everything up to end of file, retrying on EINTR.
    public static func readAll(_ fd: Int32) -> [UInt8] {
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 { output += chunk[0..<n] } else if n == 0 || errno != EINTR { return output }
        }
    }

    /// Bytes up to and including the first newline (or end of file), retrying on EINTR.
    public static func readLine(_ fd: Int32) -> [UInt8] {
        var output: [UInt8] = []
        var byte: UInt8 = 0
        while true {
            let n = read(fd, &byte, 1)
            if n == 1 {
                output.append(byte)
                if byte == UInt8(ascii: "\n") { return output }
            } else if n == 0 || errno != EINTR {
                return output
            }
        }
    }
}

import Foundation
import PakaPluginHost

/// Why the local spool could not write a file, and how to fix it.
public struct SpoolWriteError: Error, Equatable, CustomStringConvertible {
    public let file: String
    /// The C `errno` of the failing call (ENOSPC, EROFS, EACCES, EFBIG, ENOTDIR …).
    public let code: Int32

    public var description: String {
        "cannot write \(file): \(String(cString: strerror(code))) (free space on the disk of PAKA_DATA_DIR or make the folder writable)"
    }
}

/// The spool's file operations, with every failure reported (no call that traps on a full disk,
/// as Foundation's deprecated `FileHandle.write` does, and none whose error is ignored).
enum SpoolFile {
    /// Appends `line` and a newline to `path`, creating its folder and the file as needed.
    ///
    /// A write that fails half way is cut back to the old end of the file, so a full disk never
    /// leaves a torn line that would make the rest of the file unreadable.
    static func appendLine(_ line: [UInt8], to path: String) throws(SpoolWriteError) {
        try makeFolder(of: path)
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SpoolWriteError(file: path, code: errno) }
        defer { close(fd) }
        let end = lseek(fd, 0, SEEK_END)
        do throws(SpoolWriteError) {
            try writeAll(line + [UInt8(ascii: "\n")], to: fd, path: path)
        } catch {
            if end >= 0 { _ = ftruncate(fd, end) }
            throw error
        }
    }

    /// Replaces the content of `path` at once (a temporary file renamed over it), or removes the
    /// file when `content` is empty. On failure the old file is left as it was.
    static func replace(_ path: String, with content: [UInt8]) throws(SpoolWriteError) {
        if content.isEmpty {
            guard unlink(path) == 0 || errno == ENOENT else { throw SpoolWriteError(file: path, code: errno) }
            return
        }
        let temporary = path + ".rewrite"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SpoolWriteError(file: temporary, code: errno) }
        do throws(SpoolWriteError) {
            try writeAll(content, to: fd, path: temporary)
            guard fsync(fd) == 0 else { throw SpoolWriteError(file: temporary, code: errno) }
            close(fd)
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw SpoolWriteError(file: path, code: code)
        }
    }

    /// The bytes of `path`; empty when it does not exist.
    static func read(_ path: String) throws(SpoolWriteError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return [] }
            throw SpoolWriteError(file: path, code: errno)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                bytes += chunk[0..<n]
            } else if n == 0 {
                return bytes
            } else if errno != EINTR {
                throw SpoolWriteError(file: path, code: errno)
            }
        }
    }

    private static func writeAll(_ bytes: [UInt8], to fd: Int32, path: String) throws(SpoolWriteError) {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw SpoolWriteError(file: path, code: errno)
            }
            written += n
        }
    }

    /// `mkdir -p` of the file's folder; an existing non-folder shows up as ENOTDIR at `open`.
    private static func makeFolder(of path: String) throws(SpoolWriteError) {
        var folder = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/").dropLast() {
            folder += "/" + part
            if mkdir(folder, 0o755) != 0 && errno != EEXIST { throw SpoolWriteError(file: folder, code: errno) }
        }
    }
}

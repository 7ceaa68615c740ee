import Crypto
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A private (0700) folder holding the unique copy of every image this process loads.
///
/// `dlopen` returns the already-mapped image for a path it has seen, so a changed file must be
/// loaded from a new path. Copies also protect a running image from a writer truncating the
/// original in place. The folder is removed at exit; mapped images stay valid after unlink.
final class PluginCopyArea: Sendable {
    static let shared = PluginCopyArea()

    /// Where the copies are (tests look for leftovers).
    let folder: String
    private let counter = Atomic<Int>(0)

    private init() {
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        var template = Array("\(base)/paka-images-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        folder = made.map { String(cString: $0) } ?? "\(base)/paka-images-\(getpid())"
        if made == nil { mkdir(folder, 0o700) }
        // At exit nothing can be reported any more; a leftover folder in TMPDIR is the only cost.
        atexit { try? FileManager.default.removeItem(atPath: PluginCopyArea.shared.folder) }
    }

    /// Copies `file` into a new private file, hashing exactly the bytes it copies, in chunks
    /// (never the whole file in memory). The copy's name ends in the first 12 hex digits of its
    /// sha256, so `/proc/<pid>/maps` says which version each mapped image is.
    func makeCopy(of file: PluginFileReader, source: String) throws(PluginLoadError) -> (path: String, sha256: String, bytes: Int) {
        let base = "\(folder)/\(((source as NSString).lastPathComponent as NSString).deletingPathExtension)-\(counter.add(1, ordering: .relaxed).newValue)"
        let partial = base + ".part"
        let out = open(partial, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o500)
        guard out >= 0 else {
            throw PluginLoadError(.dlopenFailed, path: source, "cannot write a private copy to \(partial) (\(String(cString: strerror(errno)))); is \(folder) writable?")
        }
        var hasher = SHA256()
        let copied: Int
        do throws(PluginFileReader.ChunkError<CopyWriteFailure>) {
            copied = try file.forEachChunk { (chunk: UnsafeRawBufferPointer) throws(CopyWriteFailure) in
                hasher.update(bufferPointer: chunk)
                var written = 0
                while written < chunk.count {
                    let n = write(out, chunk.baseAddress! + written, chunk.count - written)
                    if n > 0 { written += n } else if n < 0 && errno == EINTR { continue } else { throw CopyWriteFailure(code: n < 0 ? errno : ENOSPC) }
                }
            }
        } catch {
            close(out)
            unlink(partial)
            switch error {
            case .read(let code):
                throw PluginLoadError(.missingFile, path: source, "cannot be read (\(String(cString: strerror(code))))")
            case .body(let failure):
                throw PluginLoadError(.dlopenFailed, path: source, "cannot write a private copy to \(partial) (\(String(cString: strerror(failure.code)))); is \(folder) full?")
            }
        }
        close(out)
        let sha256 = PluginFileDigest.hex(hasher.finalize())
        let path = "\(base)-\(sha256.prefix(12)).so"
        guard rename(partial, path) == 0 else {
            unlink(partial)
            throw PluginLoadError(.dlopenFailed, path: source, "cannot name the private copy \(path) (\(String(cString: strerror(errno))))")
        }
        return (path, sha256, copied)
    }

    /// Removes a copy that will not be mapped (a resident image had the same bytes, or the pin
    /// refused them).
    func discard(_ path: String) { unlink(path) }

    struct CopyWriteFailure: Error { var code: Int32 }
}

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

    private let folder: String
    private let counter = Atomic<Int>(0)

    private init() {
        let base = ProcessInfo.processInfo.environment["TMPDIR"] ?? "/tmp"
        var template = Array("\(base)/paka-images-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        folder = made.map { String(cString: $0) } ?? "\(base)/paka-images-\(getpid())"
        if made == nil { mkdir(folder, 0o700) }
        atexit { try? FileManager.default.removeItem(atPath: PluginCopyArea.shared.folder) }
    }

    func makeCopy(of bytes: Data, source: String, sha256: String) throws(PluginLoadError) -> String {
        let base = ((source as NSString).lastPathComponent as NSString).deletingPathExtension
        let path = "\(folder)/\(base)-\(counter.add(1, ordering: .relaxed).newValue)-\(sha256.prefix(12)).so"
        guard FileManager.default.createFile(atPath: path, contents: bytes, attributes: [.posixPermissions: 0o500]) else {
            throw PluginLoadError(.dlopenFailed, path: source, "cannot write a private copy to \(path); is \(folder) writable?")
        }
        return path
    }
}

import Foundation

/// Uploaded files, content-addressed: `<PAKA_DATA_DIR>/uploads/<sha256>`. The same content
/// uploaded twice is one file; a file appears under its final name only when complete
/// (written to a temporary name in the same folder, then renamed).
struct UploadStore {
    let folder: String

    init(dataDirectory: String) {
        folder = (dataDirectory as NSString).appendingPathComponent("uploads")
    }

    /// A fresh temporary path inside the store (same file system, so the rename is atomic).
    func temporaryPath() throws -> String {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return "\(folder)/.incoming-\(UUID().uuidString.lowercased())"
    }

    /// Moves a completed temporary file to its content address and returns that path.
    func commit(temporaryPath: String, sha256: String) throws -> String {
        let target = "\(folder)/\(sha256)"
        if FileManager.default.fileExists(atPath: target) {
            // The content is stored already; a duplicate left behind is a hidden `.incoming-` file
            // that costs disk, not correctness, and must not fail an upload that succeeded.
            try? FileManager.default.removeItem(atPath: temporaryPath)
            return target
        }
        // rename(2) replaces atomically: two identical uploads racing both end with one file.
        guard rename(temporaryPath, target) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporaryPath)  // best effort: the rename's failure is the answer
            throw APIError(.internalServerError, "cannot store the upload", detail: "rename \(temporaryPath) to \(target): \(reason)")
        }
        chmod(target, 0o644)
        return target
    }
}

import Crypto
import Foundation

/// SHA-256 of a plugin file, as `sha256sum` prints it.
public enum PluginFileDigest {
    /// Streams the file in chunks (see `PluginFileReader` for why not in one buffer).
    public static func sha256(ofFileAt path: String) throws -> String {
        guard let file = PluginFileReader(path: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        do {
            return hex(try file.sha256())
        } catch {
            throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}

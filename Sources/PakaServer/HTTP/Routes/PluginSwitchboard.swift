import Foundation
import PakaPipeline
import PakaPluginHost
import Synchronization

/// Sets `enabled` (or `paused`) for one entry of plugins.json itself — the operator's switchboard — by
/// editing the raw text: every other key, the formatting and the `${ENV}` placeholders stay as
/// written (the expanded configuration holds secrets and must never be written back).
final class PluginSwitchboard: Sendable {
    enum Outcome {
        case changed
        case unknownPlugin
    }

    private let file: String
    /// Two admin requests must not interleave their read-modify-write of the file.
    private let editing = Mutex(())

    init(file: String) { self.file = file }

    /// Writes the edited file atomically (temporary file in the same folder, then rename), only
    /// after the edited text validates; throws `ConfigError` (nothing written) when it does not.
    func setEnabled(_ enabled: Bool, plugin name: String, environment: [String: String]) throws -> Outcome {
        try set("enabled", to: enabled, plugin: name, environment: environment)
    }

    /// Writes `"<key>": true|false` into the plugin's entry, replacing the key's value in place
    /// or inserting it right after the entry's `name`.
    func set(_ key: String, to flag: Bool, plugin name: String, environment: [String: String]) throws -> Outcome {
        try editing.withLock { _ in
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ConfigError(file: file, issues: [ConfigIssue(path: "", message: "cannot read the file")])
            }
            let bytes = Array(data)
            guard let root = RawJSONLocator.parse(bytes), case .array(let entries, _)? = root["plugins"] else {
                // Let the real parser describe what is wrong.
                _ = try PakaConfiguration.load(path: file, environment: environment)
                return .unknownPlugin
            }
            guard let entry = entries.first(where: { if case .string(name, _)? = $0["name"] { true } else { false } }),
                  let nameNode = entry["name"] else { return .unknownPlugin }
            var edited = bytes
            let literal = Array((flag ? "true" : "false").utf8)
            if let current = entry[key] {
                edited.replaceSubrange(current.range, with: literal)
            } else {
                edited.insert(contentsOf: Array(", \"\(key)\": ".utf8) + literal, at: nameNode.range.upperBound)
            }
            try replace(with: edited, environment: environment)
            return .changed
        }
    }

    private func replace(with bytes: [UInt8], environment: [String: String]) throws {
        let folder = (file as NSString).deletingLastPathComponent
        let temporary = "\(folder.isEmpty ? "." : folder)/.\((file as NSString).lastPathComponent).\(UUID().uuidString.lowercased()).tmp"
        // A file that cannot be stat'ed now fails the rename below with its reason; until then
        // the usual mode is the right default.
        let mode = (try? FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int) ?? 0o644
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes), attributes: [.posixPermissions: mode]) else {
            throw ConfigError(file: file, issues: [ConfigIssue(path: "", message: "cannot write \(temporary)")])
        }
        do {
            _ = try PakaConfiguration.load(path: temporary, environment: environment)
        } catch {
            // Best-effort cleanup on a failure path: the error thrown is the one the operator must
            // see; a temporary left behind is a hidden, uniquely named file nothing reads.
            try? FileManager.default.removeItem(atPath: temporary)
            throw ConfigError(file: file, issues: error.issues)
        }
        guard rename(temporary, file) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)  // best effort, as above
            throw ConfigError(file: file, issues: [ConfigIssue(path: "", message: "cannot replace the file: \(reason)")])
        }
    }
}

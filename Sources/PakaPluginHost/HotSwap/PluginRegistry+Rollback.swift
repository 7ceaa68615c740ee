import Foundation
import Logging

/// Why `POST /plugins/{name}/rollback` could not roll back.
public enum RollbackError: Error, Sendable, CustomStringConvertible {
    case notActive(String)
    case nothingToRollBack(String)
    case refused(PluginLoadError)

    public var description: String {
        switch self {
        case .notActive(let name): "plugin '\(name)' is not active; there is nothing to roll back"
        case .nothingToRollBack(let name): "plugin '\(name)' has no earlier version in this run to roll back to"
        case .refused(let error): "the earlier version was refused: \(error.message)"
        }
    }
}

extension PluginRegistry {
    /// Returns `name` to the version before the active one, re-creating instances from that
    /// version's resident image (never mapped again) with the entry it ran with, by the same
    /// protocol as a swap. Repeated rollbacks walk further back through the history.
    ///
    /// The rollback holds until plugins.json's file or entry for the plugin changes.
    @discardableResult
    public func rollback(_ name: String) throws(RollbackError) -> LoadedPlugin {
        try applying.withLock { _ throws(RollbackError) -> LoadedPlugin in
            let (current, target, targetIndex, configured) = state.withLock { state -> (LoadedPlugin?, LoadedPlugin?, Int, PluginEntry?) in
                let versions = state.history[name] ?? []
                let configured = state.configuration.plugins.first { $0.name == name }
                guard let current = state.active[name], let index = versions.firstIndex(where: { $0 === current }) else { return (nil, nil, 0, configured) }
                let base = state.restored[ObjectIdentifier(current)] ?? index
                return base > 0 ? (current, versions[base - 1], base - 1, configured) : (current, nil, 0, configured)
            }
            guard let current else { throw .notActive(name) }
            guard let target else { throw .nothingToRollBack(name) }
            let loaded: LoadedPlugin
            do throws(PluginLoadError) {
                if target.entry.isolation == .process {
                    // The worker loads the file again, pinned to the version rolled back to.
                    var pinned = target.entry
                    pinned.sha256 = target.image.sha256
                    loaded = try LoadedPlugin(isolated: pinned, path: target.image.sourcePath,
                                              allowInsecurePermissions: options.allowInsecurePermissions, services: services, metrics: options.metrics)
                } else {
                    loaded = try LoadedPlugin(image: target.image, entry: target.entry, services: services, metrics: options.metrics)
                }
                try activate(loaded, replacing: current, restoring: targetIndex, trigger: .rollback)
            } catch {
                logger.error("rollback refused", metadata: ["plugin": "\(name)", "reason": "\(error.message)"])
                throw .refused(error)
            }
            // The hold compares hashes: an unreadable file (nil) holds until it is readable and
            // differs, which is what the hold is for; the next apply reports the read error.
            let fileSHA = configured.flatMap { try? PluginFileDigest.sha256(ofFileAt: $0.libraryPath(pluginDir: configuration.pluginDir)) }
            if let configured { state.withLock { $0.holds[name] = RollbackHold(fileSHA: fileSHA, entry: configured) } }
            return loaded
        }
    }

    /// Kept for `GET /plugins` until a reload succeeds.
    public var lastReloadFailure: ReloadFailure? { state.withLock { $0.lastReloadFailure } }

    package func noteReload(failure: ReloadFailure?) {
        state.withLock { $0.lastReloadFailure = failure }
    }
}

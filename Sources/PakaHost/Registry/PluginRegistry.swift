import Foundation
import Logging
import Synchronization

/// The plugins of this host: which version of each is active, what was refused and why.
///
/// `apply` brings the registry in line with a configuration. A version that fails to load or
/// create never replaces a running one: the old version keeps serving and the refusal is kept
/// for `GET /plugins`.
public final class PluginRegistry: Sendable {
    public struct Options: Sendable {
        public var allowInsecurePermissions: Bool
        public init(allowInsecurePermissions: Bool = false) { self.allowInsecurePermissions = allowInsecurePermissions }
    }

    private struct State {
        var configuration = PakaConfiguration()
        var active: [String: LoadedPlugin] = [:]
        var history: [String: [LoadedPlugin]] = [:]
        var rejections: [String: String] = [:]
    }

    private let state = Mutex(State())
    private let services: any PluginHostServices
    private let options: Options
    private let logger: Logger
    /// Serialises `apply` calls: loading is slow and must not interleave.
    private let applying = Mutex(())

    public init(services: any PluginHostServices, options: Options = Options(), logger: Logger) {
        self.services = services
        self.options = options
        self.logger = logger
    }

    /// Loads, swaps and retires plugins so that the active set matches `configuration`.
    /// Returns the refusals of this call (empty when everything applied).
    @discardableResult
    public func apply(_ configuration: PakaConfiguration) -> [PluginLoadError] {
        applying.withLock { _ in
            var refusals: [PluginLoadError] = []
            let configured = Set(configuration.plugins.map(\.name))
            for entry in configuration.plugins {
                if !entry.enabled {
                    retire(entry.name, reason: "disabled in plugins.json")
                    continue
                }
                let path = entry.libraryPath(pluginDir: configuration.pluginDir)
                do throws(PluginLoadError) {
                    try load(entry, path: path)
                    state.withLock { _ = $0.rejections.removeValue(forKey: entry.name) }
                } catch {
                    refusals.append(error)
                    state.withLock { $0.rejections[entry.name] = error.message }
                    logger.error("plugin refused", metadata: ["plugin": "\(entry.name)", "file": "\(path)", "reason": "\(error.message)"])
                }
            }
            for name in state.withLock({ Array($0.active.keys) }) where !configured.contains(name) {
                retire(name, reason: "removed from plugins.json")
            }
            state.withLock { $0.configuration = configuration }
            return refusals
        }
    }

    private func load(_ entry: PluginEntry, path: String) throws(PluginLoadError) {
        let current = state.withLock { $0.active[entry.name] }
        if let current, current.entry == entry, let sha = try? PluginFileDigest.sha256(ofFileAt: path), sha == current.image.sha256 {
            return  // unchanged
        }
        let image = try PluginImage.load(path: path, options: .init(allowInsecurePermissions: options.allowInsecurePermissions, expectedSHA256: entry.sha256))
        guard image.descriptor.name == entry.name else {
            throw PluginLoadError(.nameMismatch, path: path,
                "plugins.json entry '\(entry.name)' points at plugin '\(image.descriptor.name)'; name the entry '\(image.descriptor.name)' or fix 'library'")
        }
        let loaded = try LoadedPlugin(image: image, entry: entry, services: services)
        let previous = state.withLock { state -> LoadedPlugin? in
            let old = state.active[entry.name]
            state.active[entry.name] = loaded
            state.history[entry.name, default: []].append(loaded)
            return old
        }
        logger.info("plugin active", metadata: [
            "plugin": "\(entry.name)", "version": "\(image.descriptor.version)", "abi": "\(image.descriptor.abiVersion)",
            "sha256": "\(image.sha256.prefix(12))", "topics": "\(loaded.topics.joined(separator: ","))", "group": "\(loaded.groupId)",
        ])
        if image.descriptor.ignoredCapabilityBits != 0 {
            logger.warning("plugin built for a newer ABI minor: unknown capabilities are off", metadata: [
                "plugin": "\(entry.name)", "abi": "\(image.descriptor.abiVersion)", "host_abi": "\(PluginDescriptor.hostABIVersion)"])
        }
        previous?.retire()
    }

    private func retire(_ name: String, reason: String) {
        guard let old = state.withLock({ $0.active.removeValue(forKey: name) }) else { return }
        old.retire()
        logger.info("plugin stopped", metadata: ["plugin": "\(name)", "reason": "\(reason)"])
    }

    public func active(named name: String) -> LoadedPlugin? { state.withLock { $0.active[name] } }

    public var activePlugins: [LoadedPlugin] { state.withLock { $0.active.values.sorted { $0.name < $1.name } } }

    /// The active plugins that consume `topic`.
    public func consumers(of topic: String) -> [LoadedPlugin] { activePlugins.filter { $0.topics.contains(topic) } }

    public var configuration: PakaConfiguration { state.withLock { $0.configuration } }

    public func statuses() -> [PluginStatus] {
        state.withLock { state in
            state.configuration.plugins.map { entry in
                let active = state.active[entry.name]
                let history = (state.history[entry.name] ?? []).map {
                    PluginStatus.Version(version: $0.descriptor.version, sha256: $0.image.sha256, loadedAt: $0.loadedAt,
                                         state: $0 === active ? "active" : "retired")
                }
                let rejection = state.rejections[entry.name]
                return PluginStatus(
                    name: entry.name,
                    state: active != nil ? .active : (entry.enabled ? .failed : .disabled),
                    version: active?.descriptor.version, abi: active?.descriptor.abiVersion,
                    file: entry.libraryPath(pluginDir: state.configuration.pluginDir), sha256: active?.image.sha256,
                    topics: active?.topics ?? entry.topics ?? [], group: active?.groupId ?? entry.groupId,
                    capabilities: active?.descriptor.capabilities.names ?? [],
                    counters: active?.counters.snapshot, lastError: rejection ?? active?.counters.snapshot.lastError,
                    loadedAt: active?.loadedAt, history: history)
            }
        }
    }

    /// Retires every plugin (flush, finish in-flight calls, destroy). Images stay mapped.
    public func shutdown() {
        let all = state.withLock { state -> [LoadedPlugin] in
            defer { state.active.removeAll() }
            return Array(state.active.values)
        }
        all.forEach { $0.retire() }
    }
}

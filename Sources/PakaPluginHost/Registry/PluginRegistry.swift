import CoreMetrics
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
        /// How long a retired version's `flush` may keep answering RETRY before it is destroyed anyway.
        public var flushWait: Duration = .seconds(10)
        /// Where the plugins' counters, crashes and flushes are recorded (the server passes its
        /// Prometheus registry's factory; nothing is recorded by default).
        public var metrics: any MetricsFactory
        public init(allowInsecurePermissions: Bool = false, metrics: any MetricsFactory = NOOPMetricsHandler.instance) {
            self.allowInsecurePermissions = allowInsecurePermissions
            self.metrics = metrics
        }
    }

    struct State {
        var configuration = PakaConfiguration()
        var active: [String: LoadedPlugin] = [:]
        var history: [String: [LoadedPlugin]] = [:]
        var rejections: [String: Rejection] = [:]
        /// After a rollback: the file (sha256) and entry rolled back from, which `apply` must
        /// not load again until one of them changes.
        var holds: [String: RollbackHold] = [:]
        /// Versions created by a rollback → the history index of the version they restored.
        var restored: [ObjectIdentifier: Int] = [:]
        /// What made each version in `history` active (kept alive by `history`, so the
        /// identifiers stay unique).
        var triggers: [ObjectIdentifier: SwapTrigger] = [:]
        var lastReloadFailure: ReloadFailure?
    }

    let state = Mutex(State())
    let services: any PluginHostServices
    let options: Options
    /// What retired versions' `flush` answered (also recorded into `options.metrics`).
    public let flushes: FlushCounters
    let logger: Logger
    /// Serialises `apply` and `rollback` calls: loading is slow and must not interleave.
    let applying = Mutex(())

    public init(services: any PluginHostServices, options: Options = Options(), logger: Logger) {
        self.services = services
        self.options = options
        self.logger = logger
        flushes = FlushCounters(metrics: options.metrics)
    }

    /// Loads, swaps and retires plugins so that the active set matches `configuration`.
    /// Returns the refusals of this call (empty when everything applied).
    ///
    /// - Parameters:
    ///   - retryRejected: false (the watcher) skips a file refused before when neither its
    ///     content nor its entry changed, so unrelated edits do not map a broken image again.
    ///   - trigger: recorded in the swap history of every version this call makes active.
    @discardableResult
    public func apply(_ configuration: PakaConfiguration, retryRejected: Bool = true, trigger: SwapTrigger = .api) -> [PluginLoadError] {
        applying.withLock { _ in
            var refusals: [PluginLoadError] = []
            let configured = Set(configuration.plugins.map(\.name))
            for entry in configuration.plugins {
                if !entry.enabled {
                    retire(entry.name, reason: "disabled in plugins.json")
                    state.withLock { _ = $0.rejections.removeValue(forKey: entry.name) }
                    continue
                }
                let path = entry.libraryPath(pluginDir: configuration.pluginDir)
                // Only compared with a refusal's hash: an unreadable file (nil) never equals it, so
                // the load below runs and its refusal names the real problem.
                let fileSHA = try? PluginFileDigest.sha256(ofFileAt: path)
                if !retryRejected, let rejected = state.withLock({ $0.rejections[entry.name] }), rejected.entry == entry, rejected.sha256 == fileSHA {
                    continue
                }
                do throws(PluginLoadError) {
                    try load(entry, path: path, fileSHA: fileSHA, trigger: trigger)
                    state.withLock { _ = $0.rejections.removeValue(forKey: entry.name) }
                } catch {
                    refusals.append(error)
                    let rejection = Rejection(sha256: fileSHA, reason: error.message, at: Date(), entry: entry)
                    state.withLock { $0.rejections[entry.name] = rejection }
                    let running = active(named: entry.name)
                    logger.error("plugin refused", metadata: [
                        "plugin": "\(entry.name)", "file": "\(path)", "sha256": "\(fileSHA ?? "unreadable")", "reason": "\(error.message)",
                        "running": "\(running.map { "\($0.descriptor.version) (\($0.image.sha256.prefix(12)))" } ?? "none")"])
                }
            }
            for name in state.withLock({ Array($0.active.keys) }) where !configured.contains(name) {
                retire(name, reason: "removed from plugins.json")
            }
            state.withLock { $0.configuration = configuration }
            return refusals
        }
    }

    /// The swap protocol: load a unique copy (or reuse the resident image with the same
    /// sha256) → ABI checks → create the instances → self-test (`health`, when replacing a
    /// running version) → switch dispatch → retire the old version (its in-flight calls finish
    /// first, then it is flushed and destroyed; its image stays mapped).
    private func load(_ entry: PluginEntry, path: String, fileSHA: String?, force: Bool = false, trigger: SwapTrigger) throws(PluginLoadError) {
        let (current, hold, resident) = state.withLock { ($0.active[entry.name], $0.holds[entry.name], ($0.history[entry.name] ?? []).map(\.image)) }
        if !force, let current, current.entry.loadsSameAs(entry), let fileSHA, fileSHA == current.image.sha256, !current.isCrashed {
            return  // unchanged (a crashed version is loaded again: an enable or reload brings it back)
        }
        if current != nil, let hold, hold.entry.loadsSameAs(entry), hold.fileSHA == fileSHA {
            return  // rolled back from this very file and entry: stay on the rollback
        }
        if entry.isolation == .process {
            try activate(LoadedPlugin(isolated: entry, path: path, allowInsecurePermissions: options.allowInsecurePermissions, services: services,
                                          metrics: options.metrics),
                         replacing: current, trigger: trigger)
            state.withLock { _ = $0.holds.removeValue(forKey: entry.name) }
            return
        }
        let image = try PluginImage.load(path: path, options: .init(allowInsecurePermissions: options.allowInsecurePermissions, expectedSHA256: entry.sha256),
                                         resident: resident)
        guard image.descriptor.name == entry.name else {
            throw PluginLoadError(.nameMismatch, path: path,
                "plugins.json entry '\(entry.name)' points at plugin '\(image.descriptor.name)'; name the entry '\(image.descriptor.name)' or fix 'library'")
        }
        try activate(LoadedPlugin(image: image, entry: entry, services: services, metrics: options.metrics), replacing: current, trigger: trigger)
        state.withLock { _ = $0.holds.removeValue(forKey: entry.name) }
    }

    /// Self-tests `loaded` when it replaces a running version, then switches dispatch to it and
    /// retires the version it replaced. An unhealthy new version is destroyed; the old one stays.
    func activate(_ loaded: LoadedPlugin, replacing current: LoadedPlugin?, restoring restoredIndex: Int? = nil, trigger: SwapTrigger) throws(PluginLoadError) {
        let entry = loaded.entry, image = loaded.image
        if current != nil, let health = loaded.health(), !health.healthy {
            retireRecordingFlush(loaded)
            throw PluginLoadError(.selfTestFailed, path: image.sourcePath,
                "version \(image.descriptor.version) reported unhealthy right after create (\(health.message.isEmpty ? "no message" : health.message)); the running version stays")
        }
        let previous = state.withLock { state -> LoadedPlugin? in
            let old = state.active[entry.name]
            state.active[entry.name] = loaded
            state.history[entry.name, default: []].append(loaded)
            state.triggers[ObjectIdentifier(loaded)] = trigger
            if let restoredIndex { state.restored[ObjectIdentifier(loaded)] = restoredIndex }
            return old
        }
        logger.info(restoredIndex == nil ? "plugin active" : "plugin rolled back", metadata: [
            "plugin": "\(entry.name)", "version": "\(image.descriptor.version)", "abi": "\(image.descriptor.abiVersion)",
            "sha256": "\(image.sha256.prefix(12))", "trigger": "\(trigger.rawValue)", "topics": "\(loaded.topics.joined(separator: ","))", "group": "\(loaded.groupId)",
        ])
        if image.descriptor.ignoredCapabilityBits != 0 {
            logger.warning("plugin built for a newer ABI minor: unknown capabilities are off", metadata: [
                "plugin": "\(entry.name)", "abi": "\(image.descriptor.abiVersion)", "host_abi": "\(PluginDescriptor.hostABIVersion)"])
        }
        if let previous { retireRecordingFlush(previous) }
    }

    private func retire(_ name: String, reason: String) {
        guard let old = state.withLock({ $0.active.removeValue(forKey: name) }) else { return }
        retireRecordingFlush(old)
        logger.info("plugin stopped", metadata: ["plugin": "\(name)", "reason": "\(reason)"])
    }

    /// `POST /plugins/{name}/restart`: the configured entry loaded again by the swap protocol
    /// (fresh instances or workers; state `crashed` is left behind). nil: no such enabled plugin.
    public func restart(_ name: String) throws(PluginLoadError) -> LoadedPlugin? {
        try applying.withLock { _ throws(PluginLoadError) -> LoadedPlugin? in
            let configuration = state.withLock { $0.configuration }
            guard let entry = configuration.plugins.first(where: { $0.name == name }), entry.enabled else { return nil }
            let path = entry.libraryPath(pluginDir: configuration.pluginDir)
            do throws(PluginLoadError) {
                // The hash only tags a refusal; an unreadable file is refused by `load` itself, with the reason.
                try load(entry, path: path, fileSHA: try? PluginFileDigest.sha256(ofFileAt: path), force: true, trigger: .restart)
            } catch {
                logger.error("plugin restart refused", metadata: ["plugin": "\(name)", "reason": "\(error.message)"])
                throw error
            }
            state.withLock { _ = $0.rejections.removeValue(forKey: name) }
            return active(named: name)
        }
    }

    public func active(named name: String) -> LoadedPlugin? { state.withLock { $0.active[name] } }

    public var activePlugins: [LoadedPlugin] { state.withLock { $0.active.values.sorted { $0.name < $1.name } } }

    /// The active plugins that consume `topic`.
    public func consumers(of topic: String) -> [LoadedPlugin] { activePlugins.filter { $0.topics.contains(topic) } }

    public var configuration: PakaConfiguration { state.withLock { $0.configuration } }

    /// `"paused": true` in the applied plugins.json.
    public func isPaused(_ name: String) -> Bool {
        state.withLock { $0.configuration.plugins.first { $0.name == name }?.paused ?? false }
    }

    public func statuses() -> [PluginStatus] {
        state.withLock { state in
            state.configuration.plugins.map { entry in
                let active = state.active[entry.name]
                let history = (state.history[entry.name] ?? []).map {
                    PluginStatus.Version(version: $0.descriptor.version, sha256: $0.image.sha256, loadedAt: $0.loadedAt,
                                         state: $0 === active ? "active" : "retired", trigger: state.triggers[ObjectIdentifier($0)])
                }
                let rejection = state.rejections[entry.name]
                var status = PluginStatus(
                    name: entry.name,
                    state: active.map { $0.isCrashed ? .crashed : .active } ?? (entry.enabled ? .failed : .disabled),
                    version: active?.descriptor.version, abi: active?.descriptor.abiVersion,
                    file: entry.libraryPath(pluginDir: state.configuration.pluginDir), sha256: active?.image.sha256,
                    topics: active?.topics ?? entry.topics ?? [], group: active?.groupId ?? entry.groupId,
                    capabilities: active?.descriptor.capabilities.names ?? [],
                    counters: active?.counters.snapshot, lastError: rejection?.reason ?? active?.counters.snapshot.lastError,
                    loadedAt: active?.loadedAt, history: history)
                status.paused = entry.paused
                status.rejected = rejection.map { PluginStatus.Rejected(sha256: $0.sha256, reason: $0.reason, at: $0.at) }
                status.isolation = entry.isolation.rawValue
                status.lastCrash = active?.crashes.lastCrash
                status.workerRestarts = entry.isolation == .process ? active?.crashes.restarts : nil
                status.crashHistory = Self.crashHistory(of: state.history[entry.name] ?? [], isolated: entry.isolation == .process)
                return status
            }
        }
    }

    /// Retires every plugin (flush, finish in-flight calls, destroy). Images stay mapped.
    public func shutdown() {
        let all = state.withLock { state -> [LoadedPlugin] in
            defer { state.active.removeAll() }
            return Array(state.active.values)
        }
        all.forEach(retireRecordingFlush)
    }
}

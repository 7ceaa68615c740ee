import CoreMetrics
import Crypto
import Foundation
import Synchronization

/// One loaded version of a plugin: its image, its instances and its counters.
public final class LoadedPlugin: Sendable {
    public let image: PluginImage
    public let entry: PluginEntry
    public let loadedAt: Date
    public let counters: PluginCounters
    /// Crashes of this version: state `crashed`, the last crash, verdicts to dead-letter.
    public let crashes: CrashTracker
    /// In process only: the batch in flight, on record across a host crash.
    private let journal: CrashJournal?
    private let pool: PluginInstancePool
    private let retired = Atomic<Bool>(false)

    public var name: String { image.descriptor.name }
    public var descriptor: PluginDescriptor { image.descriptor }
    /// The topics consumed: plugins.json's override, else the plugin's declaration.
    public var topics: [String] { entry.topics ?? image.descriptor.topics }
    public var groupId: String { entry.groupId ?? image.descriptor.defaultGroup }
    public var isRetired: Bool { retired.load(ordering: .acquiring) }

    /// Creates `entry.concurrency` instances; if any `create` fails, the ones made are destroyed.
    init(image: PluginImage, entry: PluginEntry, services: any PluginHostServices, metrics: any MetricsFactory) throws(PluginLoadError) {
        self.image = image
        self.entry = entry
        self.loadedAt = Date()
        self.counters = PluginCounters(plugin: entry.name, version: image.descriptor.version, metrics: metrics)
        self.crashes = CrashTracker(plugin: entry.name, policy: entry.crash, metrics: metrics)
        let journal = CrashJournal.shared(plugin: entry.name, folder: Self.journalFolder(services.dataDirectory(for: entry.name)), services: services)
        self.journal = journal
        // A build whose create killed the host at each start would do so forever (CrashJournal+Hooks).
        let config = entry.config.jsonBytes
        let createVersion = "\(image.sha256).\(PluginFileDigest.hex(SHA256.hash(data: config)).prefix(16))"
        if let why = Self.condemnation(.create, version: createVersion, journal: journal, policy: entry.crash) {
            throw PluginLoadError(.crashedTheHost, path: image.sourcePath, "this build (sha256 \(image.sha256.prefix(12))…) with this config "
                + "\(why) and is not created in process again; install a fixed "
                + "build, change its config, or run it with \"isolation\": \"process\" (a crash then costs a worker process); "
                + "removing \(journal.recordFile) tries again as it is")
        }
        var instances: [PluginInstance] = []
        for _ in 0..<max(entry.concurrency, 1) {
            do {
                instances.append(try journal.whileCalling(.create, version: createVersion) { () throws(PluginLoadError) -> PluginInstance in
                    try PluginInstance(image: image, host: HostTable(pluginName: image.descriptor.name, services: services), configJSON: config)
                })
            } catch {
                instances.forEach { $0.destroy() }
                throw error
            }
        }
        self.pool = PluginInstancePool(instances: instances)
    }

    /// Process isolation: `entry.concurrency` worker processes, each loading `path` with the
    /// loader's checks and creating one instance; the first worker's report is the image.
    init(isolated entry: PluginEntry, path: String, allowInsecurePermissions: Bool, services: any PluginHostServices,
         metrics: any MetricsFactory) throws(PluginLoadError) {
        self.entry = entry
        self.loadedAt = Date()
        let crashes = CrashTracker(plugin: entry.name, policy: entry.crash, metrics: metrics)
        self.crashes = crashes
        self.journal = nil  // a crash costs the worker, not the host: nothing to survive
        let start = WorkerMessages.Start(libraryPath: path, expectedSHA256: entry.sha256, allowInsecurePermissions: allowInsecurePermissions,
                                         expectedName: entry.name, dataDirectory: services.dataDirectory(for: entry.name), configJSON: entry.config.jsonBytes,
                                         memoryLimitMb: entry.workerMemoryLimitMb ?? 0)
        var instances: [ProcessPluginInstance] = []
        for _ in 0..<max(entry.concurrency, 1) {
            do {
                instances.append(try ProcessPluginInstance(start: start, services: services, timeoutMs: entry.handleTimeoutMs, tracker: crashes))
            } catch {
                instances.forEach { $0.destroy() }
                throw error
            }
        }
        guard let first = instances.first else {
            throw PluginLoadError(.createFailed, path: path, "no worker process could be started")
        }
        self.image = PluginImage.isolated(sourcePath: path, sha256: first.sha256, descriptor: first.descriptor)
        self.counters = PluginCounters(plugin: entry.name, version: first.descriptor.version, metrics: metrics)
        self.pool = PluginInstancePool(instances: instances)
    }

    /// `<PAKA_DATA_DIR>/plugins/.crash-journal`: next to the plugins' own folders, under a
    /// name no plugin can have.
    static func journalFolder(_ pluginDataDirectory: String) -> String {
        ((pluginDataDirectory as NSString).deletingLastPathComponent as NSString).appendingPathComponent(".crash-journal")
    }

    /// State `crashed`: its consumer pauses until a restart, a swap or an enable.
    public var isCrashed: Bool { crashes.isCrashed }

    /// `POST /plugins/{name}/restart`: leaves state `crashed`; the next call starts a worker.
    public func restartAfterCrash() { crashes.clearCrashed() }

    /// Hands `events` to the plugin; nil when this version was retired meanwhile (the caller
    /// gives the batch to the current version instead).
    public func handle(_ events: [PluginEvent]) -> [EventOutcome]? {
        let outcomes: [EventOutcome]?
        if let journal {
            outcomes = pool.withInstance { instance in journal.handle(events, policy: entry.crash, tracker: crashes) { instance.handle($0) } }
        } else {
            outcomes = pool.withInstance { $0.handle(events) }
        }
        guard let outcomes else { return nil }
        counters.record(outcomes)
        return outcomes
    }

    public func serveHTTP(_ request: PluginHTTPRequest) -> PluginHTTPResponse? {
        guard let journal else { return pool.withInstance { $0.serveHTTP(request) } ?? nil }
        if let why = Self.condemnation(.http, version: image.sha256, journal: journal, policy: entry.crash) {
            let message = "plugin \(name): its http hook \(why) and is not called again; install a fixed build"
            return PluginHTTPResponse(status: 503, contentType: "application/json", body: JSONValue.object(["error": .string(message)]).jsonBytes)
        }
        return pool.withInstance { instance in journal.whileCalling(.http, version: image.sha256) { instance.serveHTTP(request) } } ?? nil
    }

    /// nil when the plugin has no health hook.
    public func health() -> (healthy: Bool, message: String)? {
        guard let journal else { return pool.withInstance { $0.health() } ?? nil }
        if let why = Self.condemnation(.health, version: image.sha256, journal: journal, policy: entry.crash) {
            return (false, "health hook not called: it \(why); install a fixed build")
        }
        return pool.withInstance { instance in journal.whileCalling(.health, version: image.sha256) { instance.health() } } ?? nil
    }

    /// In process: why `hook` of `version` is not called again ("killed the host 2 times in
    /// health (SIGSEGV)"), or nil while it has killed the host fewer than `crash.maxAttempts` times.
    private static func condemnation(_ hook: CrashJournal.Hook, version: String, journal: CrashJournal, policy: CrashPolicy) -> String? {
        journal.deaths(in: hook, version: version).count >= policy.maxAttempts ? journal.deathSummary(in: hook, version: version) : nil
    }

    public func flush() -> EventOutcome {
        pool.withInstance { $0.flush() } ?? .ok
    }

    /// Waits for in-flight calls, flushes each instance (retrying a RETRY for up to `flushWait`),
    /// then destroys the instances. The image stays mapped. Returns each instance's flush, or
    /// nothing when this version was retired before.
    @discardableResult
    func retire(flushWait: Duration = .seconds(10)) -> [PluginInstancePool.FlushResult] {
        guard !retired.exchange(true, ordering: .acquiringAndReleasing) else { return [] }
        return pool.retire(flushWait: flushWait)
    }
}

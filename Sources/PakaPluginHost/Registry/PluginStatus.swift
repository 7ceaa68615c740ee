import Foundation

/// What `GET /plugins` and `paka serve` report about one configured plugin.
public struct PluginStatus: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable { case active, disabled, failed, crashed }

    public struct Version: Sendable, Codable, Equatable {
        public var version: String
        public var sha256: String
        public var loadedAt: Date
        public var state: String
        /// What made it active (`startup`, `file`, `api`, `rollback`, `restart`); nil from a host
        /// that did not record it.
        public var trigger: SwapTrigger? = nil
    }

    /// The last version refused for this plugin (the running version, if any, stayed).
    public struct Rejected: Sendable, Codable, Equatable {
        /// nil when the file could not be read.
        public var sha256: String?
        public var reason: String
        public var at: Date
    }

    public var name: String
    public var state: State
    public var version: String?
    public var abi: String?
    public var file: String
    public var sha256: String?
    public var topics: [String]
    public var group: String?
    public var capabilities: [String]
    public var counters: PluginCounters.Snapshot?
    public var lastError: String?
    public var loadedAt: Date?
    public var history: [Version]
    public var rejected: Rejected? = nil
    /// `"paused": true` in plugins.json: the consumer holds its partitions without fetching.
    public var paused = false
    /// `inprocess` or `process` (plugins.json's `isolation`).
    public var isolation: String? = nil
    /// The last crash of the active version (process isolation), if any.
    public var lastCrash: CrashSummary? = nil
    /// Worker processes started again after crashes (active version).
    public var workerRestarts: Int? = nil
    /// Process isolation: the newest crashes and worker restarts of every version of this run,
    /// newest first (at most `CrashTracker.historyLimit`).
    public var crashHistory: [CrashEvent]? = nil
    /// The consumer's lanes as last observed (nil without a consumer); filled in by the server
    /// from what the consumer reports for `/metrics`.
    public var lanes: LaneGauges? = nil
}

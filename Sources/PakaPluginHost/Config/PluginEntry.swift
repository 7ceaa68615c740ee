/// One processor in plugins.json.
public struct PluginEntry: Sendable, Equatable {
    public var name: String
    /// A file name inside the plugin directory, or an absolute path.
    public var library: String
    public var enabled: Bool
    /// nil: the plugin's declared group (the seed's `paka-*` names for the built-ins).
    public var groupId: String?
    /// nil: the topics the plugin declares.
    public var topics: [String]?
    /// Instances created, and how many batches run at once: each instance is called by one
    /// thread at a time, the consumer keeps all of them busy.
    public var concurrency: Int
    /// Most events handed to one `handle` call.
    public var batchSize: Int
    public var retry: RetryPolicy
    /// Refuse the file unless its SHA-256 matches.
    public var sha256: String?
    /// Passed verbatim (after `${ENV}` expansion) to the plugin's `create`.
    public var config: JSONValue
    /// Written by `POST /plugins/{name}/pause|resume`: the plugin stays loaded, its consumer
    /// holds its partitions without fetching. Operational state, not part of what is loaded.
    public var paused = false
    /// Where the plugin runs: inside the host (default) or in a `paka worker` child process.
    public var isolation: PluginIsolation = .inprocess
    /// Process isolation: a worker busy in one call longer than this is killed, like a crash.
    public var handleTimeoutMs: Int = 30_000
    /// How many crashes of one event it takes to dead-letter it.
    public var crash: CrashPolicy = CrashPolicy()
    /// Process isolation: the worker's address-space limit (RLIMIT_AS) in MiB; nil = none.
    public var workerMemoryLimitMb: Int?
    /// Without Kafka: events the plugin's synchronous lane holds (waiting or in progress) before
    /// it turns publishers away (HTTP 503; an event a plugin published is deferred for Kafka).
    /// Bounds the memory a stuck plugin costs: each held event is kept as its JSON.
    public var synchronousQueueLimit: Int = 256
    /// Which events must run one after another (default: same message key).
    public var ordering: PluginOrdering = .key
    /// Events of one partition consumed and not yet committed (in flight, waiting behind their
    /// key, held for a retry, or finished behind an unfinished one) before the partition pauses.
    /// Bounds memory and the redelivery after a crash; 1–100 000.
    public var maxInFlight: Int = 1000
    /// What librdkafka may prefetch for this plugin's consumer, in KiB (`queued.max.messages.kbytes`):
    /// the memory a plugin far behind its input costs at most, beside its `maxInFlight` events.
    public var prefetchKBytes: Int = 16384
    /// At-least-once (default), or exactly-once: the plugin's publishes, its dead letters and the
    /// consumed offsets in one Kafka transaction (docs/kafka.md, "Exactly-once").
    public var delivery: PluginDelivery = .atLeastOnce

    public init(name: String, library: String, enabled: Bool = true, groupId: String? = nil, topics: [String]? = nil,
                concurrency: Int = 1, batchSize: Int = 100, retry: RetryPolicy = RetryPolicy(), sha256: String? = nil,
                config: JSONValue = .object([:])) {
        self.name = name
        self.library = library
        self.enabled = enabled
        self.groupId = groupId
        self.topics = topics
        self.concurrency = concurrency
        self.batchSize = batchSize
        self.retry = retry
        self.sha256 = sha256
        self.config = config
    }

    /// True when both entries load the same plugin the same way: `paused` differs freely, since
    /// pausing must never swap or re-create the running version.
    public func loadsSameAs(_ other: PluginEntry) -> Bool {
        var mine = self
        mine.paused = other.paused
        return mine == other
    }

    /// Where the library file is, given the plugin directory.
    public func libraryPath(pluginDir: String) -> String {
        library.hasPrefix("/") ? library : "\(pluginDir)/\(library)"
    }
}

/// Capped exponential backoff for RETRY results.
public struct RetryPolicy: Sendable, Equatable {
    /// nil: retry until the plugin answers OK or FAIL (an outage never dead-letters).
    public var maxAttempts: Int?
    public var initialBackoffMs: Int
    public var maxBackoffMs: Int

    public init(maxAttempts: Int? = nil, initialBackoffMs: Int = 200, maxBackoffMs: Int = 30_000) {
        self.maxAttempts = maxAttempts
        self.initialBackoffMs = initialBackoffMs
        self.maxBackoffMs = maxBackoffMs
    }

    /// Delay before attempt `attempt + 1` (attempt counts from 1).
    public func backoffMs(afterAttempt attempt: Int) -> Int {
        let exponent = min(max(attempt - 1, 0), 30)
        return min(maxBackoffMs, initialBackoffMs.multipliedReportingOverflow(by: 1 << exponent).partialValue)
    }
}

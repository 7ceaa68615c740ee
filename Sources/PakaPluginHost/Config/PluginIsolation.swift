/// Where a plugin's code runs (`"isolation"` in plugins.json).
public enum PluginIsolation: String, Sendable, Equatable, CaseIterable {
    /// Inside the host process: fastest; a crash takes the host down (the crash journal then
    /// makes sure the same event cannot do it more than `crash.maxAttempts` times).
    case inprocess
    /// In a `paka worker` child process: a crash or hang costs the event, never the host.
    case process
}

/// `"crash": {"maxAttempts": N}`: crashes of one event before it is dead-lettered.
public struct CrashPolicy: Sendable, Equatable {
    public var maxAttempts: Int

    public init(maxAttempts: Int = 2) { self.maxAttempts = maxAttempts }

    /// Crashes in a row without one call answered, after which the plugin is put in state
    /// `crashed` instead of being restarted again: one poison event costs at most
    /// `maxAttempts + 1` crashes (its batch, then alone), so a run longer than that means the
    /// plugin crashes on everything (or in `create`).
    public var maxCrashesWithoutProgress: Int { maxAttempts + 2 }
}

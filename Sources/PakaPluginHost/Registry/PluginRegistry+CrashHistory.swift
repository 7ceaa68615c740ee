extension PluginRegistry {
    /// The crashes and restarts of every version of a plugin in this run, newest first, each
    /// tagged with its version, at most `CrashTracker.historyLimit`: a swap or a restart makes a
    /// new version (a new tracker), and the crashes that led to it must stay in sight.
    ///
    /// nil for an in-process plugin that never had a worker (it has no crash history to show:
    /// a crash there takes the host down, and the crash journal reports it).
    static func crashHistory(of versions: [LoadedPlugin], isolated: Bool) -> [CrashEvent]? {
        var events: [(order: Int, event: CrashEvent)] = []
        for loaded in versions {
            for event in loaded.crashes.history {
                var tagged = event
                tagged.version = loaded.descriptor.version
                events.append((events.count, tagged))
            }
        }
        guard isolated || !events.isEmpty else { return nil }
        // Newest first; equal times keep the order they were recorded in (reversed).
        events.sort { $0.event.at != $1.event.at ? $0.event.at > $1.event.at : $0.order > $1.order }
        return events.prefix(CrashTracker.historyLimit).map(\.event)
    }
}

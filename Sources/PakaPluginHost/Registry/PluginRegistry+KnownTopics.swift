extension PluginRegistry {
    /// The topics `name` consumes, or consumed when it last ran: a disabled plugin's dead letters
    /// are still on those topics' `.dlq` (nil when it is not in plugins.json).
    package func knownTopics(of name: String) -> [String]? {
        state.withLock { state in
            guard let entry = state.configuration.plugins.first(where: { $0.name == name }) else { return nil }
            return state.active[name]?.topics ?? entry.topics ?? state.history[name]?.last?.topics ?? []
        }
    }
}

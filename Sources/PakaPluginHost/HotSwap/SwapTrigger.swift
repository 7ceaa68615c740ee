/// What made a version active, as the swap history (`GET /plugins` → `history[].trigger`) shows
/// it: an operator reading the history in an incident asks "who did this" before "what changed".
public enum SwapTrigger: String, Sendable, Codable, Equatable {
    /// Loaded when the host started.
    case startup
    /// The plugin-directory watcher saw the plugin's file or plugins.json change.
    case file
    /// An API request applied plugins.json (`POST /plugins/reload`, `/enable`, a pause or
    /// resume that reloads).
    case api
    /// `POST /plugins/{name}/rollback`.
    case rollback
    /// `POST /plugins/{name}/restart`.
    case restart
}

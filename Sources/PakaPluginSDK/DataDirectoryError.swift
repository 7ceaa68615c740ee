/// Why `PluginHost.dataDirectory` has no folder to give: the plugin must not write its data
/// somewhere else (a shared `/tmp`) without saying so. Thrown from `create`, it refuses the
/// plugin with this message.
public enum DataDirectoryError: Error, CustomStringConvertible, Sendable {
    /// The host table's `data_dir` is missing or answered NULL.
    case notGiven
    /// The host named a folder that cannot be created.
    case cannotCreate(path: String, reason: String)

    public var description: String {
        switch self {
        case .notGiven: "the host gives this plugin no data directory (its host table's data_dir is missing or NULL)"
        case .cannotCreate(let path, let reason): "cannot create the plugin's data directory \(path): \(reason)"
        }
    }
}

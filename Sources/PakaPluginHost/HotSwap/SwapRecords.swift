import Foundation

extension PluginRegistry {
    /// The last version refused for a plugin, kept for `GET /plugins` and so the watcher does
    /// not load the same broken file again on an unrelated change.
    struct Rejection: Sendable {
        /// nil when the file could not be read.
        var sha256: String?
        var reason: String
        var at: Date
        /// The entry the refusal was made with: a changed entry is worth another try.
        var entry: PluginEntry
    }

    /// What a rollback stepped away from. plugins.json still names that file, so `apply` would
    /// otherwise load it straight back on the next reload.
    struct RollbackHold: Sendable {
        var fileSHA: String?
        var entry: PluginEntry
    }
}

/// A reload that changed nothing because plugins.json was invalid.
public struct ReloadFailure: Sendable, Equatable {
    public var file: String
    public var issues: [String]
    public var at: Date

    package init(file: String, issues: [String], at: Date) {
        self.file = file
        self.issues = issues
        self.at = at
    }

    /// One line for a log or a response header.
    public var summary: String { "\(file) is invalid (\(issues.joined(separator: "; "))); nothing was applied" }
}

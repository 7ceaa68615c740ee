import Logging
import ServiceLifecycle

/// Watches the plugin directory and plugins.json by polling, and reloads when something
/// changed and settled (see `FileStabilityTracker`).
///
/// Install a plugin with an atomic rename in the same folder — `cp new.so .new.so.tmp && mv
/// .new.so.tmp new.so` — so the watcher never sees a half-written file; the temporary name is
/// ignored. Polling (not inotify) works the same on bind mounts and Docker volumes.
public struct PluginDirectoryWatcher: Service {
    public struct Targets: Sendable {
        public var directories: [String]
        public var files: [String]
        public init(directories: [String], files: [String]) {
            self.directories = directories
            self.files = files
        }
    }

    private let interval: Duration
    private let targets: @Sendable () -> Targets
    private let reload: @Sendable ([String]) -> Void
    private let logger: Logger
    /// The files as they were when the watcher was made, right after the host loaded them: a
    /// change made before `run` starts (a busy host may take a while) is still a change.
    private let baseline: FileStabilityTracker.Snapshot
    /// Where reloads run: the host's one blocking pool (tests that run many hosts in one process
    /// give a watcher a pool of its own, so other hosts' blocking work cannot delay its swaps).
    private let pool: BlockingPool

    /// - Parameters:
    ///   - interval: time between polls; a settled change is acted on within about two.
    ///   - targets: read on every poll (the plugin directory may move when plugins.json changes).
    ///   - reload: runs on the blocking pool (it blocks: loading, retiring) with the changed paths.
    public init(interval: Duration = .milliseconds(250), logger: Logger, pool: BlockingPool = .shared,
                targets: @escaping @Sendable () -> Targets, reload: @escaping @Sendable ([String]) -> Void) {
        self.interval = interval
        self.pool = pool
        self.targets = targets
        self.reload = reload
        self.logger = logger
        let initial = targets()
        baseline = FileStabilityTracker.scan(directories: initial.directories, files: initial.files)
    }

    public func run() async throws {
        var tracker = FileStabilityTracker(baseline: baseline)
        logger.info("watching for plugin changes", metadata: [
            "directories": "\(targets().directories.joined(separator: ","))", "interval_ms": "\(Int(interval / .milliseconds(1)))"])
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do { try await Task.sleep(for: interval) } catch { break }
            guard let changed = tracker.observe(snapshot()) else { continue }
            logger.info("plugin files changed; reloading", metadata: ["files": "\(changed.joined(separator: ","))"])
            let reload = self.reload
            await pool.run { reload(changed) }
        }
    }

    private func snapshot() -> FileStabilityTracker.Snapshot {
        let targets = targets()
        return FileStabilityTracker.scan(directories: targets.directories, files: targets.files)
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// Decides when a set of watched files changed *and settled*: a change counts only once every
/// changed file had the same size and mtime on two polls in a row, so a half-copied `.so` is
/// never loaded. Pure logic, fed by `FileStabilityTracker.scan`.
struct FileStabilityTracker {
    struct Stamp: Equatable {
        var size: Int64
        var mtime: timespec
        var inode: UInt64
        var ctime: timespec

        static func == (a: Stamp, b: Stamp) -> Bool {
            a.size == b.size && a.inode == b.inode
                && a.mtime.tv_sec == b.mtime.tv_sec && a.mtime.tv_nsec == b.mtime.tv_nsec
                && a.ctime.tv_sec == b.ctime.tv_sec && a.ctime.tv_nsec == b.ctime.tv_nsec
        }

        /// Size and mtime: what "still being written" changes.
        func sameContentAs(_ other: Stamp) -> Bool {
            size == other.size && mtime.tv_sec == other.mtime.tv_sec && mtime.tv_nsec == other.mtime.tv_nsec
        }
    }

    typealias Snapshot = [String: Stamp]

    /// The state last acted on (or the baseline).
    private(set) var settled: Snapshot
    private var previous: Snapshot

    init(baseline: Snapshot) {
        settled = baseline
        previous = baseline
    }

    /// Feeds one poll; returns the changed paths when they are all stable (act now), else nil.
    mutating func observe(_ current: Snapshot) -> [String]? {
        defer { previous = current }
        let changed = Set(current.keys).union(settled.keys).filter { current[$0] != settled[$0] }
        guard !changed.isEmpty else { return nil }
        let stable = changed.allSatisfy { path in
            switch (current[path], previous[path]) {
            case (nil, nil): true  // gone on both polls
            case let (now?, before?): now.sameContentAs(before)
            default: false  // appeared or vanished since the last poll: wait one more
            }
        }
        guard stable else { return nil }
        settled = current
        return changed.sorted()
    }

    /// Stamps of the regular files in `directories` (not recursive) and of `files`, skipping
    /// names that an atomic install uses for its temporary copy: dotfiles and `*.tmp`.
    static func scan(directories: [String], files: [String]) -> Snapshot {
        var snapshot: Snapshot = [:]
        for directory in directories {
            guard let handle = opendir(directory) else { continue }
            defer { closedir(handle) }
            while let entry = readdir(handle) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                guard !ignored(name) else { continue }
                let path = directory.hasSuffix("/") ? directory + name : "\(directory)/\(name)"
                if let stamp = stamp(path) { snapshot[path] = stamp }
            }
        }
        for file in files where snapshot[file] == nil {
            if let stamp = stamp(file) { snapshot[file] = stamp }
        }
        return snapshot
    }

    static func ignored(_ name: String) -> Bool {
        name.hasPrefix(".") || name.hasSuffix(".tmp")
    }

    private static func stamp(_ path: String) -> Stamp? {
        var status = stat()
        guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Stamp(size: Int64(status.st_size), mtime: status.st_mtim, inode: UInt64(status.st_ino), ctime: status.st_ctim)
    }
}

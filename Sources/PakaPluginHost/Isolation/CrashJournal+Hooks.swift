import Foundation

/// In-process protection for the hooks that run outside `handle`: `create` (at every start, so a
/// plugin crashing there would kill the host at every restart), `health` (every `/health`) and
/// `http` (every forwarded request).
///
/// The call is on record while it runs, under the key `<hook>/<version>` (the build's sha256;
/// for `create` with the config's digest); a host that dies in it finds the record at its next
/// start. Once a version's hook has killed the host `crash.maxAttempts` times it is not called
/// in process again: `create` refuses the load, `health` and `http` answer without calling the
/// plugin. A new build (or, for `create`, another config) starts with a clean record; so does a
/// clean return of the same hook, or removing `<plugin>.crashes.json` from the journal's folder.
extension CrashJournal {
    enum Hook: String, Sendable {
        case create, health, http
    }

    /// Deaths of the host in `hook` of `version` on record, and the last signal.
    func deaths(in hook: Hook, version: String) -> (count: Int, signal: Int32) {
        let key = Self.hookKey(hook, version: version)
        return record(key).map { ($0.crashes, $0.signal) } ?? (0, 0)
    }

    /// "killed the host 2 times in create (SIGSEGV)".
    func deathSummary(in hook: Hook, version: String) -> String {
        let (count, signal) = deaths(in: hook, version: version)
        return "killed the host \(count) time\(count == 1 ? "" : "s") in \(hook.rawValue) (\(signal > 0 ? WorkerExit.signalName(signal) : "no signal recorded"))"
    }

    /// Runs `body` with `hook` on record; a clean return forgets earlier deaths in it.
    func whileCalling<T, E: Error>(_ hook: Hook, version: String, _ body: () throws(E) -> T) throws(E) -> T {
        let key = Self.hookKey(hook, version: version)
        let result = try onRecord(Array("plugin \(plugin): 1 event(s): \(key)".utf8), body)
        if record(key) != nil { forget(key) }
        return result
    }

    static func hookKey(_ hook: Hook, version: String) -> String { "\(hook.rawValue)/\(version)" }

    /// Hook keys have one `/`; event keys (`topic/partition/offset/id`) at least three.
    static func isHookKey(_ key: String) -> Bool { key.utf8.lazy.filter { $0 == UInt8(ascii: "/") }.count == 1 }
}

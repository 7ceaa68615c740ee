import PakaPluginHost
import Synchronization

/// What replays did to each dead letter, so that a letter is delivered once per replay request
/// (a second identical request skips it unless `force`) and the listing can hide resolved ones.
///
/// Rebuilt at start-up from the persisted replay reports; not a file of its own.
package final class ReplayLedger: Sendable {
    enum Mark: String, Sendable { case replaying, replayed, failedAgain = "failed-again" }

    private let marks = Mutex<[String: Mark]>([:])

    package init() {}

    func mark(_ letter: String) -> Mark? { marks.withLock { $0[letter] } }

    func set(_ letter: String, _ mark: Mark?) { marks.withLock { $0[letter] = mark } }

    /// Claims the letters not yet handled by a replay (all of them with `force`); returns those claimed.
    func claim(_ letters: [String], force: Bool) -> Set<String> {
        marks.withLock { marks in
            var claimed: Set<String> = []
            for letter in letters where force || marks[letter] == nil {
                marks[letter] = .replaying
                claimed.insert(letter)
            }
            return claimed
        }
    }

    /// The state the listing shows.
    func state(of letter: String) -> String {
        switch mark(letter) {
        case .replayed?: "replayed"
        case .failedAgain?: "failed-again"
        case .replaying?, nil: "pending"
        }
    }
}

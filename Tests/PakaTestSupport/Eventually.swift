import Foundation

/// Polls `condition` every 50 ms for up to `seconds`; true when it held. The default is generous
/// on purpose: it only delays a failing test, and a loaded 2-core machine running every suite at
/// once has taken over 20 s for a watcher-driven reload. Tests assert the outcome, never the time.
public func eventually(_ seconds: Double = 60, _ condition: () async -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if await condition() { return true }
        // Cancellation ends the wait early; the final check below still answers.
        try? await Task.sleep(for: .milliseconds(50))
    }
    return await condition()
}

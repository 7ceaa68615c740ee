import Foundation

/// Runs blocking test work (initdb, a server's stop, polling a topic for seconds) on a thread of
/// its own. The process has only two cooperative threads, shared by every suite running in
/// parallel: a test holding one for seconds stalls the others' hosts, watchers and streams.
func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

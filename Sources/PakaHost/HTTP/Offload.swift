import Dispatch

/// Runs blocking work (dlopen, a plugin's C hooks, file edits) on a Dispatch thread instead of
/// the cooperative pool, which has only as many threads as cores (two here).
func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}

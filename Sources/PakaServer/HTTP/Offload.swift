import PakaPipeline
import PakaPluginHost

/// The HTTP code's name for ``BlockingPool/run(_:)``: dlopen, a plugin's C hooks and file edits
/// run on the one bounded blocking pool, never on the cooperative pool (one thread per core).
func offload<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await BlockingPool.shared.run(work)
}

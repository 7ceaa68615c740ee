import Foundation

/// Runs a blocking call (librdkafka, libpq, a plugin) on a thread of its own, so it never
/// occupies one of the cooperative pool's few threads.
func onDedicatedThread<T: Sendable>(name: String, _ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        let thread = Thread { continuation.resume(returning: body()) }
        thread.name = name
        thread.start()
    }
}

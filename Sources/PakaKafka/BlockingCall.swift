import Foundation

/// Runs a blocking librdkafka call on a fresh Foundation thread and awaits its result.
///
/// Why: calls such as `rd_kafka_flush`, `rd_kafka_metadata` or an admin request block for up to
/// their timeout. The async overloads in this module use this so that callers in Swift
/// concurrency never block a cooperative-pool thread. A thread per call is fine: these are rare,
/// control-plane operations, not the message path.
enum BlockingCall {
    static func run<T: Sendable>(name: String, _ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
            let thread = Thread { continuation.resume(returning: body()) }
            thread.name = name
            thread.start()
        }
    }
}

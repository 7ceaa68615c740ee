import Foundation
import PakaPluginHost
import ServiceLifecycle

/// Asks the brokers for metadata every `interval`, so the connected state (and with it the
/// choice between Kafka and synchronous processing) follows the cluster within about a second.
struct ConnectionMonitor: Service {
    let bus: KafkaBus
    var interval: Duration = .seconds(1)

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            _ = await BlockingPool.shared.run { [bus] in bus.refreshConnection() }  // a metadata request: blocks up to its timeout
            // Throws only when the sleep is cut short (shutdown, cancellation): the loop condition decides.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}

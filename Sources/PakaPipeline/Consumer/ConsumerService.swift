import Foundation
import Logging
import PakaPluginHost
import ServiceLifecycle

/// One plugin's consumer group member as a ServiceLifecycle service: `run` owns a dedicated
/// thread for the blocking loop and returns after a graceful stop (batch finished, committed).
final class ConsumerService: Service, Sendable {
    let loop: ConsumerLoop

    init(loop: ConsumerLoop) { self.loop = loop }

    func run() async throws {
        await withGracefulShutdownHandler {
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                let thread = Thread { [loop] in
                    loop.run()
                    done.resume()
                }
                thread.name = "paka-consumer-\(loop.settings.pluginName)"
                thread.start()
            }
        } onGracefulShutdown: { [loop] in
            loop.requestStop()
        }
    }

    /// Stops this consumer alone (plugin disabled, its group or topics changed).
    func stop() { loop.requestStop() }
}

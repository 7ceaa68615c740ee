import Foundation
import Logging
import PakaKafka
import PakaPipeline
import PakaPluginHost
import Synchronization

/// `paka-bench --swap`: events stream in at a steady rate while v1 of the scripted plugin is
/// replaced by v2 (file copied over, then the same reload the watcher does). Reports the
/// longest time with no event handled around the swap, and lost / duplicated events.
enum SwapBench {
    static func run(arguments: [String]) async throws {
        func value(_ flag: String) -> String? { arguments.firstIndex(of: flag).map { arguments[$0 + 1] } }
        let events = value("--events").flatMap(Int.init) ?? 40_000
        let rate = value("--rate").flatMap(Int.init) ?? 10_000
        guard let v1 = value("--swap-v1"), let v2 = value("--swap-v2") else {
            print("usage: paka-bench --swap --swap-v1 libscripted-v1.so --swap-v2 libscripted-v2.so [--events N] [--rate EVENTS_PER_S]")
            return
        }
        var logger = Logger(label: "paka-bench")
        logger.logLevel = .error
        let work = NSTemporaryDirectory() + "paka-swap-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let library = "\(work)/libscripted.so", record = "\(work)/record.txt"
        try FileManager.default.copyItem(atPath: v1, toPath: library)

        let cluster = try EmbeddedKafkaCluster(brokerCount: 3, logger: logger)
        for topic in ["scripted.in", "scripted.in.dlq"] { try cluster.createTopic(topic, partitions: 6) }
        let services = HostServices(dataDirectory: "\(work)/data", logger: logger)
        let registry = PluginRegistry(services: services, options: .init(allowInsecurePermissions: true), logger: logger)
        let spool = LocalSpool(dataDirectory: "\(work)/data", logger: logger)
        let router = EventRouter(synchronous: SynchronousDispatcher(registry: registry, spool: spool, logger: logger), logger: logger)
        services.connect(router)
        let configuration = KafkaConfiguration(brokers: cluster.bootstrapServers, clientId: "paka-bench",
                                               properties: EmbeddedKafkaCluster.fastConsumerProperties)
        let bus = try KafkaBus(configuration: configuration, logger: logger)
        _ = bus.refreshConnection(timeout: .seconds(5))
        router.attach(bus)
        let plugins = PakaConfiguration(pluginDir: work, plugins: [
            PluginEntry(name: "scripted", library: library, batchSize: 500, config: .object(["record": .string(record)]))])
        precondition(registry.apply(plugins).isEmpty, "v1 refused")
        let supervisor = ConsumerSupervisor(registry: registry, bus: bus, consumerConfiguration: configuration, logger: logger)
        let consuming = Task { try await supervisor.run() }
        let sampler = Sampler(registry: registry)

        // Warm up: the group join takes ~3 s on the mock; the stream starts once v1 handles events,
        // so the swap happens in a steady flow rather than in the catch-up after the join.
        _ = await router.publish(CloudEvent(id: "warm-up", source: "paka/bench", type: "scripted.in", subject: "warm-up", data: Array("{}".utf8)))
        while sampler.handled < 1 { try await Task.sleep(for: .milliseconds(5)) }

        let ids = (0..<events).map { "s\($0)" }
        let chunk = max(rate / 100, 1)  // one chunk every 10 ms
        let streamStarted = ContinuousClock.now
        // A chunk every 10 ms whatever the delivery latency: waiting for each chunk's delivery
        // reports before the next would make the stream as bursty as the producer's round trip
        // (~45 ms on the mock cluster), and those bursts, not the swap, would be the gaps measured.
        let producing = Task {
            await withTaskGroup(of: Void.self) { group in
                var tick = streamStarted
                for start in stride(from: 0, to: ids.count, by: chunk) {
                    for id in ids[start..<min(start + chunk, ids.count)] {
                        group.addTask {
                            _ = await router.publish(CloudEvent(id: id, source: "paka/bench", type: "scripted.in", subject: "key-\(id)", data: Array("{}".utf8)))
                        }
                    }
                    tick = tick.advanced(by: .milliseconds(10))
                    try? await ContinuousClock().sleep(until: tick)
                }
            }
        }
        // Swap halfway through the stream, when it has flowed steadily for a while.
        try await Task.sleep(until: streamStarted + .milliseconds(events / 2 * 1000 / rate))
        let temporary = "\(work)/.libscripted.so.tmp"
        try FileManager.default.copyItem(atPath: v2, toPath: temporary)
        _ = rename(temporary, library)
        let swapStarted = ContinuousClock.now
        precondition(registry.apply(plugins).isEmpty, "v2 refused")
        let swapTook = ContinuousClock.now - swapStarted
        await producing.value
        let streamEnded = ContinuousClock.now
        let deadline = ContinuousClock.now + .seconds(60)
        while sampler.handled < events + 1 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        try await Task.sleep(for: .seconds(1))  // late duplicates would arrive now
        sampler.stop()
        consuming.cancel()
        _ = await consuming.result

        let lines = ((try? String(contentsOfFile: record, encoding: .utf8)) ?? "").split(separator: "\n")
        var seen: [Substring: Int] = [:]
        for line in lines { seen[line.split(separator: " ")[1], default: 0] += 1 }
        seen["warm-up"] = nil
        let lost = ids.filter { seen[Substring($0)] == nil }.count
        let duplicated = seen.values.reduce(0) { $0 + max($1 - 1, 0) }
        let v2First = sampler.firstV2 ?? swapStarted
        let aroundSwap = (v2First - .seconds(1))...(v2First + .seconds(1))
        // Elsewhere: the rest of the steady stream (its first 200 ms still fill the pipeline).
        let elsewhere = [(streamStarted + .milliseconds(200), v2First - .seconds(1)), (v2First + .seconds(1), streamEnded)]
            .filter { $0 < $1 }.map { $0...$1 }
        print("""

            | hot swap (\(events) events at ~\(rate)/s, 6 partitions, batch 500) | value |
            |---|---|
            | longest time with no event handled, ±1 s around the switch | \(ms(sampler.maxGap(in: [aroundSwap]))) ms |
            | longest such time elsewhere in the same stream | \(ms(sampler.maxGap(in: elsewhere))) ms |
            | reload call (load v2, create, switch, retire v1) | \(ms(swapTook)) ms |
            | lost / duplicated | \(lost) / \(duplicated) |
            """)
        bus.shutdown(timeout: .seconds(2))
        registry.shutdown()
        cluster.shutdown()
    }

    static func ms(_ duration: Duration) -> String {
        String(format: "%.1f", Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15)
    }

    /// Samples the events handled by all versions every ~0.2 ms on its own thread.
    final class Sampler: @unchecked Sendable {
        private let registry: PluginRegistry
        private let state = Mutex<(changes: [(ContinuousClock.Instant, Int)], handled: Int, firstV2: ContinuousClock.Instant?, stopped: Bool)>(([], 0, nil, false))

        init(registry: PluginRegistry) {
            self.registry = registry
            Thread.detachNewThread { [self] in
                var versions: [LoadedPlugin] = []
                while !state.withLock({ $0.stopped }) {
                    if let active = registry.active(named: "scripted"), !versions.contains(where: { $0 === active }) { versions.append(active) }
                    let total = versions.reduce(0) { $0 + $1.counters.snapshot.handled }
                    let now = ContinuousClock.now
                    let v2Handled = versions.count > 1 && versions[1].counters.snapshot.handled > 0
                    state.withLock { state in
                        if total != state.handled { state.changes.append((now, total)); state.handled = total }
                        if v2Handled && state.firstV2 == nil { state.firstV2 = now }
                    }
                    usleep(200)
                }
            }
        }

        var handled: Int { state.withLock { $0.handled } }
        var firstV2: ContinuousClock.Instant? { state.withLock { $0.firstV2 } }
        func stop() { state.withLock { $0.stopped = true } }

        /// The longest time between two changes of the handled count inside any of `windows`.
        func maxGap(in windows: [ClosedRange<ContinuousClock.Instant>]) -> Duration {
            let changes = state.withLock { $0.changes }.map(\.0)
            return windows.map { window in
                let inside = changes.filter(window.contains)
                return zip(inside, inside.dropFirst()).map { $1 - $0 }.max() ?? .zero
            }.max() ?? .zero
        }
    }
}

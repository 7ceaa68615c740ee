import Foundation
import Logging
import PakaKafka
import PakaPluginHost
import ServiceLifecycle
import Synchronization

/// Keeps one consumer per active plugin running, in step with the registry: a plugin enabled
/// gets a consumer, one disabled loses it, a changed group or topic list restarts just that one.
public final class ConsumerSupervisor: Service, Sendable {
    struct Running {
        let service: ConsumerService
        let groupId: String
        let topics: [String]
        /// What the loop was built with: a change (say `concurrency` or `ordering` in plugins.json)
        /// restarts the consumer, since lanes and windows are made at its start.
        let shape: ConsumerShape
    }

    private let registry: PluginRegistry
    private let bus: KafkaBus
    private let configuration: KafkaConfiguration
    private let logger: Logger
    private let maxEventBytes: Int
    let running = Mutex<[String: Running]>([:])
    private let changes: AsyncStream<Void>
    private let changed: AsyncStream<Void>.Continuation

    private let observer: (any PipelineObserver)?
    private let staticMember = Mutex<String?>(nil)

    /// Static group membership: each consumer joins as `<instanceId>-<plugin>`, so a host that
    /// restarts (after a crash: it never left) gets its partitions back without waiting for the
    /// session timeout. Set before `run`; an explicit `group.instance.id` property wins.
    public var instanceId: String? {
        get { staticMember.withLock { $0 } }
        set { staticMember.withLock { $0 = newValue } }
    }

    public init(registry: PluginRegistry, bus: KafkaBus, consumerConfiguration: KafkaConfiguration, maxEventBytes: Int = 1 << 20,
                observer: (any PipelineObserver)? = nil, logger: Logger) {
        self.observer = observer
        self.registry = registry
        self.bus = bus
        self.configuration = consumerConfiguration
        self.maxEventBytes = maxEventBytes
        self.logger = logger
        (changes, changed) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// The consumer groups consuming now (for `GET /kafka/status`).
    /// The seed's groups come first, in the seed's order; any others follow alphabetically.
    public var activeGroups: [String] {
        let groups = running.withLock { Set($0.values.map(\.groupId)) }
        return Topics.consumerGroups.filter(groups.contains) + groups.subtracting(Topics.consumerGroups).sorted()
    }

    /// Asks the supervisor to compare the registry with what runs (after a reload or swap).
    /// Pause flags reach the running loops at once, here: the comparison runs on the supervisor's
    /// task, which a busy cooperative pool may run late, and the pause route waits for the loop.
    public func registryChanged() {
        applyPauseFlags()
        changed.yield()
    }

    /// Tells each running loop whether plugins.json wants it paused (idempotent).
    private func applyPauseFlags() {
        running.withLock { running in
            for (name, current) in running { current.service.loop.control.setPaused(registry.isPaused(name)) }
        }
    }

    /// Runs until graceful shutdown (or cancellation). Each consumer is a child task of this one,
    /// so shutdown reaches all of them and `run` returns only after each has committed and left
    /// its group.
    public func run() async throws {
        await withDiscardingTaskGroup { group in
            reconcile(&group)
            await withGracefulShutdownHandler {
                for await _ in changes.cancelOnGracefulShutdown() { reconcile(&group) }
            } onGracefulShutdown: { [changed] in
                changed.finish()
            }
            stopAll()
        }  // the group waits for every consumer here
    }

    private func reconcile(_ group: inout DiscardingTaskGroup) {
        let wanted = Dictionary(uniqueKeysWithValues: registry.activePlugins.filter { !$0.topics.isEmpty }.map { ($0.name, $0) })
        let toStop = running.withLock { running -> [Running] in
            var stopping: [Running] = []
            for (name, current) in running {
                guard let plugin = wanted[name], plugin.groupId == current.groupId, plugin.topics == current.topics,
                      ConsumerShape(plugin.entry) == current.shape else {
                    stopping.append(current)
                    running[name] = nil
                    continue
                }
            }
            return stopping
        }
        for old in toStop { old.service.stop() }
        applyPauseFlags()
        for (name, plugin) in wanted where running.withLock({ $0[name] == nil }) { start(plugin, in: &group) }
    }

    private func start(_ plugin: LoadedPlugin, in group: inout DiscardingTaskGroup) {
        let shape = ConsumerShape(plugin.entry)
        let settings = ConsumerLoop.Settings(pluginName: plugin.name, groupId: plugin.groupId, topics: plugin.topics,
                                             batchSize: shape.batchSize, retry: plugin.entry.retry, maxEventBytes: maxEventBytes,
                                             concurrency: shape.concurrency, ordering: shape.ordering, delivery: shape.delivery,
                                             maxInFlight: shape.maxInFlight)
        do {
            var configuration = configuration
            if let instanceId, configuration.properties["group.instance.id"] == nil {
                configuration.properties["group.instance.id"] = "\(instanceId)-\(plugin.name)"
            }
            shape.sizePrefetch(&configuration)
            // Exactly-once: the consumer's own transactional producer (the bus's stays idempotent).
            let transactions = shape.delivery == .exactlyOnce
                ? TransactionalOutput(transactionalId: TransactionalOutput.id(instance: instanceId, plugin: plugin.name),
                                      configuration: bus.configuration, logger: logger)
                : nil
            let loop = try ConsumerLoop(settings: settings, configuration: configuration, registry: registry, bus: bus,
                                        transactions: transactions, observer: observer, logger: logger)
            loop.control.setPaused(registry.isPaused(plugin.name))
            let service = ConsumerService(loop: loop)
            running.withLock { $0[plugin.name] = Running(service: service, groupId: plugin.groupId, topics: plugin.topics, shape: shape) }
            group.addTask { [logger] in
                do { try await service.run() } catch { logger.error("consumer ended with an error", metadata: ["plugin": "\(plugin.name)", "error": "\(error)"]) }
            }
        } catch {
            logger.error("could not create the consumer", metadata: ["plugin": "\(plugin.name)", "group": "\(plugin.groupId)", "error": "\(error)"])
        }
    }

    /// Asks every consumer to stop; `run`'s task group waits until each has committed and left its group.
    private func stopAll() {
        let all = running.withLock { running -> [Running] in
            defer { running.removeAll() }
            return Array(running.values)
        }
        for consumer in all { consumer.service.stop() }
    }
}

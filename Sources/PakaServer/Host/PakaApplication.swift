import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import PakaKafka
import PakaPipeline
import PakaPluginHost
import ServiceLifecycle

/// The whole host: plugins, the publish path, Kafka and the HTTP server, run by one
/// ServiceGroup that handles SIGTERM/SIGINT (stop intake, finish in-flight, commit, flush).
public final class PakaApplication: Sendable {
    public let environment: HostEnvironment
    public let registry: PluginRegistry
    public let router: EventRouter
    public let tokens: TokenAuthority
    public let kafka: KafkaPipeline?
    public let metrics = PakaMetrics()
    /// Dead-letter listing and replay (`/plugins/{name}/dead-letters…`).
    public let deadLetters: DeadLetterReplayer
    public let logger: Logger
    /// The shutdown steps that ran and their threads (the graceful-shutdown tests read it).
    package let shutdownJournal = ShutdownJournal()

    public init(environment: HostEnvironment, configuration: PakaConfiguration, logger: Logger) async throws {
        self.environment = environment
        self.logger = logger
        let services = HostServices(dataDirectory: environment.dataDirectory, logger: logger)
        registry = PluginRegistry(services: services, options: .init(allowInsecurePermissions: environment.allowInsecurePlugins, metrics: metrics.factory),
                                  logger: logger)
        let spool = LocalSpool(dataDirectory: environment.dataDirectory, logger: logger, counters: metrics.spool)
        router = EventRouter(synchronous: SynchronousDispatcher(registry: registry, spool: spool, logger: logger), logger: logger)
        services.connect(router)
        tokens = try await TokenAuthority(secret: environment.jwtSecret)
        do {
            // Creating clients (and an embedded cluster's topics) blocks: startup work goes through the pool too.
            kafka = try await BlockingPool.shared.run { [registry, metrics] () throws(KafkaError) in
                try KafkaPipeline(configuration: environment.pipeline, extraProperties: configuration.kafkaProperties, registry: registry, spool: spool,
                                  observer: metrics, logger: logger)
            }
        } catch {
            // A broken Kafka configuration must not take the API down: run synchronously and say why.
            logger.error("Kafka disabled: \(error)")
            kafka = nil
        }
        router.attach(kafka?.bus)
        let pipeline = kafka
        var makeReader: (@Sendable () throws(KafkaError) -> KafkaTopicReader)?
        if let pipeline {
            makeReader = { () throws(KafkaError) -> KafkaTopicReader in try pipeline.makeDeadLetterReader() }
        }
        let store = DeadLetterStore(makeReader: makeReader, kafkaConnected: { pipeline?.bus.isConnected ?? false }, spool: spool, ledger: ReplayLedger())
        deadLetters = DeadLetterReplayer(registry: registry, bus: pipeline?.bus, spool: spool, store: store,
                                         dataDirectory: environment.dataDirectory, logger: logger)
        await deadLetters.loadReports()
        // Loading plugins (dlopen, create, migrations in create) blocks.
        await BlockingPool.shared.run { [registry] in _ = registry.apply(configuration, trigger: .startup) }
    }

    /// Kafka's state for `GET /kafka/status`.
    public func kafkaStatus() -> KafkaStatus {
        kafka?.status(clientId: environment.kafkaClientId)
            ?? KafkaStatus(connected: false, brokers: environment.kafkaBrokers, clientId: environment.kafkaClientId, consumers: [])
    }

    /// Re-reads plugins.json and applies it. Nothing changes when the file is invalid; the
    /// failure is logged and kept for `GET /plugins` until a reload succeeds.
    ///
    /// - Parameters:
    ///   - retryRejected: false (the watcher) leaves a refused file alone until its content or
    ///     entry changes.
    ///   - trigger: what asked for it, kept in the swap history (`file` for the watcher).
    public func reloadPlugins(retryRejected: Bool = true, trigger: SwapTrigger = .api) throws(ConfigError) -> [PluginLoadError] {
        let configuration: PakaConfiguration
        do {
            configuration = try PakaConfiguration.load(path: environment.pluginsFile, environment: environment.raw)
        } catch {
            let failure = ReloadFailure(file: error.file, issues: error.issues.map(\.description), at: Date())
            registry.noteReload(failure: failure)
            logger.error("plugins.json not applied", metadata: ["file": "\(error.file)", "issues": "\(failure.issues.joined(separator: "; "))"])
            throw error
        }
        registry.noteReload(failure: nil)
        let refusals = registry.apply(configuration, retryRejected: retryRejected, trigger: trigger)
        kafka?.supervisor.registryChanged()
        return refusals
    }

    /// The registry's statuses with each consumer's lanes as last observed: what `GET /plugins`
    /// and the operator routes answer.
    public func pluginStatuses() -> [PluginStatus] {
        registry.statuses().map { status in
            var status = status
            status.lanes = metrics.lanes(of: status.name)
            return status
        }
    }

    /// `POST /plugins/{name}/rollback`: the previous version of `name`, by the swap protocol.
    public func rollbackPlugin(_ name: String) throws(RollbackError) -> LoadedPlugin {
        let restored = try registry.rollback(name)
        kafka?.supervisor.registryChanged()
        return restored
    }

    /// `POST /plugins/{name}/restart`: the entry loaded again; nil when it is not enabled.
    public func restartPlugin(_ name: String) throws(PluginLoadError) -> LoadedPlugin? {
        let restarted = try registry.restart(name)
        kafka?.supervisor.registryChanged()
        return restarted
    }

    /// The plugin directory and plugins.json watcher (nil when `PAKA_WATCH=0`).
    public func makeWatcher() -> PluginDirectoryWatcher? {
        guard let interval = environment.watchInterval else { return nil }
        return PluginDirectoryWatcher(interval: interval, logger: logger, targets: { [registry, environment] in
            let configuration = registry.configuration
            return .init(directories: [configuration.pluginDir],
                         files: [environment.pluginsFile] + configuration.plugins.map { $0.libraryPath(pluginDir: configuration.pluginDir) })
        }, reload: { [self] _ in
            // Dropped on purpose: reloadPlugins logs a plugins.json it refuses and records it for
            // GET /plugins (`Paka-Reload-Error`); the registry logs and lists each refused plugin.
            _ = try? self.reloadPlugins(retryRejected: false, trigger: .file)
        })
    }

    /// The HTTP server, not yet running: `run` puts it in the ServiceGroup.
    public func makeHTTPApplication(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let limits = environment.httpLimits
        let counter = ConnectionCounter(limits: limits, metrics: metrics)
        var http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [ConnectionGuard(counter: counter)],
            idleTimeout: .milliseconds(limits.idleTimeoutMilliseconds))
        http1.httpDecoder = .init(maxHeaderFieldSize: limits.maximumHeaderBytes, maxHeaderListSize: limits.maximumHeaderBytes)
        return Application(
            router: HTTPAPI(app: self).makeRouter(),
            server: .http1(configuration: http1),
            configuration: .init(address: .hostname(environment.bindAddress, port: environment.port), serverName: "paka"),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// Every service of the host, in start order. The service group stops them in reverse, each
    /// only after those started later have ended, so a graceful shutdown (SIGTERM/SIGINT) goes:
    /// HTTP intake, the watcher, the consumers (finish in-flight events, commit, leave the group),
    /// the dead-letter replays (stopped between two letters, awaited), the deferred-event replayer
    /// and the connection monitor, the producer's flush, the plugins' drain (flush, destroy), and
    /// last the embedded cluster that the Kafka clients talked to.
    package func services(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> [any Service] {
        var services: [any Service] = []
        if let cluster = kafka?.embeddedClusterShutdown(journal: shutdownJournal) { services.append(cluster) }
        services.append(ShutdownStep("plugin drain", journal: shutdownJournal, logger: logger) { [registry] in registry.shutdown() })
        if let kafka {
            services.append(kafka.producerFlush(journal: shutdownJournal))
            services += kafka.services(replays: deadLetters)
        } else {
            services.append(deadLetters)
        }
        services += [makeWatcher()].compactMap { $0 } as [any Service]
        services.append(makeHTTPApplication(onListening: onListening))
        return services
    }

    /// The one service group of the host (it handles SIGTERM and SIGINT when `signals`).
    package func makeServiceGroup(signals: Bool = true, onListening: @escaping @Sendable (Int) async -> Void = { _ in }) -> ServiceGroup {
        ServiceGroup(configuration: .init(
            services: services(onListening: onListening).map { .init(service: $0) },
            gracefulShutdownSignals: signals ? [.sigterm, .sigint] : [], logger: logger))
    }

    /// Runs until SIGTERM/SIGINT; `onListening` receives the bound port (useful with PORT=0).
    /// Everything stops inside the group: when it returns, nothing of the host runs any more.
    public func run(onListening: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await makeServiceGroup(onListening: onListening).run()
        logger.info("paka stopped")
    }
}

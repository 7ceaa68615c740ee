import Foundation
import Logging
import PakaKafka
import PakaPluginHost
import Synchronization

/// One plugin's consumer: poll → hand ready events to the plugin's lanes in batches → record
/// their answers → store offsets of finished events → dead-letter FAILs and poison → hold RETRYs
/// per ordering key.
///
/// Runs on its own thread and owns its partition queues alone (no locks); the lanes
/// (``Lanes``) call the plugin in parallel and give their answers back through an inbox. Offsets
/// are stored only up to the first unfinished event of a partition (OK, or its dead letter
/// written); librdkafka commits stored offsets in the background and `close` commits the rest.
final class ConsumerLoop: @unchecked Sendable {
    // @unchecked: `queues` and the flags are touched only by the loop's own thread; the rest is
    // immutable or atomic.
    struct Settings: Sendable {
        var pluginName: String
        var groupId: String
        var topics: [String]
        var batchSize: Int
        var retry: RetryPolicy
        var maxEventBytes: Int = 1 << 20
        /// Lanes: batches handed to the plugin at the same time (`concurrency`).
        var concurrency: Int = 1
        var ordering: PluginOrdering = .key
        var delivery: PluginDelivery = .atLeastOnce
        /// Exactly-once: the longest a finished event waits for the transaction that commits it.
        var commitInterval: Duration = .milliseconds(100)
        /// Exactly-once: the most events one transaction carries.
        var maxEventsPerTransaction = 5000
        /// A partition's window (consumed, not committed past) at which it pauses.
        var maxInFlight: Int = 1000
        var pollTimeout: Duration = .milliseconds(100)
        /// How long a stopping loop waits for dead letters already sent (see `awaitDeadLettersInFlight`).
        var deadLetterWaitAtStop: Duration = .seconds(10)
    }

    let settings: Settings
    let consumer: KafkaConsumer
    let registry: PluginRegistry
    let bus: KafkaBus
    let logger: Logger
    let lanes: Lanes
    /// Operator requests (pause, resume, offset resets), served between passes.
    let control = ConsumerControl()
    /// True while this loop holds its partitions paused for the operator.
    var pausedByOperator = false
    /// `consumer.assignmentGeneration` when the held partitions were last paused.
    var heldGeneration = -1
    private let stopRequested = Atomic<Bool>(false)
    var queues: [KafkaTopicPartition: PartitionQueue] = [:]
    /// Gives each new partition queue its epoch.
    var nextEpoch = 0
    /// The partition the next dispatch starts with (round robin, so no partition starves).
    var dispatchRotation = 0
    var lastAssignment: Set<KafkaTopicPartition> = []
    /// `consumer.assignmentGeneration` when `lastAssignment` was read; -1 before the first read.
    var lastAssignmentGeneration = -1
    /// Partitions are paused because the plugin is in state `crashed`.
    var pausedForCrash = false
    /// Nothing is handed out before this (the plugin was disabled: the supervisor stops us soon).
    var dispatchBlockedUntil: ContinuousClock.Instant?
    /// The earliest end of a retry backoff or dead-letter pause (the loop wakes up for it).
    var nextDue: ContinuousClock.Instant?
    /// Scratch set for `PartitionQueue.collectReady`, kept so a scan does not allocate one.
    var scratchKeys = Set<Int>()
    /// Last time the lane gauges went to the observer.
    var gaugesReportedAt = ContinuousClock.now

    let observer: (any PipelineObserver)?
    /// Answers to dead letters sent without waiting; a partition's watermark passes a dead
    /// letter only once its answer says written.
    let deadLetterAcks = DeadLetterAcks()

    /// Exactly-once plugins: the transactional producer that commits their outputs and offsets.
    let transactions: TransactionalOutput?
    /// Exactly-once: when the finished events waiting for a transaction are committed next.
    var nextCommitAt = ContinuousClock.now
    /// Exactly-once on brokers that do not apply transactional offsets (librdkafka's mock): the
    /// offsets a committed transaction covered whose plain commit failed (the member had lost
    /// the group). Messages below them are skipped, not handled again, until a commit lands.
    var offsetsOwedByTransactions: [KafkaTopicPartition: Int64] = [:]

    init(settings: Settings, configuration: KafkaConfiguration, registry: PluginRegistry, bus: KafkaBus,
         transactions: TransactionalOutput? = nil, observer: (any PipelineObserver)? = nil, logger: Logger) throws(KafkaError) {
        self.observer = observer
        self.settings = settings
        self.registry = registry
        self.bus = bus
        var logger = logger
        logger[metadataKey: "plugin"] = "\(settings.pluginName)"
        logger[metadataKey: "group"] = "\(settings.groupId)"
        self.logger = logger
        var configuration = configuration
        if observer != nil, configuration.properties["statistics.interval.ms"] == nil {
            configuration.properties["statistics.interval.ms"] = "5000"  // consumer lag for /metrics
        }
        var onStatistics: (@Sendable (String) -> Void)?
        if let observer {
            let group = settings.groupId
            onStatistics = { json in
                for lag in ConsumerStatistics.lags(fromStatistics: json) {
                    observer.consumerLag(group: group, topic: lag.topic, partition: lag.partition, lag: lag.lag)
                }
            }
        }
        consumer = try KafkaConsumer(configuration: configuration, groupId: settings.groupId, topics: settings.topics, logger: logger,
                                     offsetsInTransactions: transactions != nil, onStatistics: onStatistics)
        let name = settings.pluginName
        if let transactions {
            lanes = Lanes(count: settings.concurrency, name: name) { [registry, observer] work in
                LaneRunner.runCapturingPublishes(work, plugin: name, registry: registry, observer: observer)
            }
            self.transactions = transactions
        } else {
            lanes = Lanes(count: settings.concurrency, name: name) { [registry, observer] work in
                LaneRunner.run(work, plugin: name, registry: registry, observer: observer)
            }
            self.transactions = nil
        }
    }

    func requestStop() { stopRequested.store(true, ordering: .releasing) }

    /// Runs until `requestStop`; then lets the batches in the lanes finish, commits and leaves
    /// the group.
    func run() {
        logger.info("consumer started", metadata: [
            "topics": "\(settings.topics.joined(separator: ","))", "lanes": "\(lanes.count)", "ordering": "\(settings.ordering.rawValue)"])
        lanes.start()
        while !stopRequested.load(ordering: .acquiring) {
            applyAll(lanes.takeResults(waitingUpTo: .zero))
            if serveOperator() { continue }
            let messages: [KafkaMessage]
            let untilDue = nextDue.map { max($0 - ContinuousClock.now, .zero) }
            if lanes.busy > 0 {
                // Wake as soon as a lane answers; look for new messages at least every 10 ms.
                applyAll(lanes.takeResults(waitingUpTo: min(.milliseconds(10), untilDue ?? .milliseconds(10))))
                messages = consumer.poll(maxMessages: pollRoom, timeout: .zero)
            } else {
                messages = consumer.poll(maxMessages: pollRoom, timeout: min(settings.pollTimeout, untilDue ?? settings.pollTimeout))
            }
            append(messages)
            processReady()
        }
        drainLanes()
        lanes.stop()
        if let transactions {
            commitFinished(force: true)
            transactions.shutdown()
        } else {
            awaitDeadLettersInFlight(upTo: settings.deadLetterWaitAtStop)
            do { try consumer.commit() } catch { logger.warning("final commit failed; uncommitted events will be redelivered", metadata: ["error": "\(error)"]) }
        }
        consumer.close()
        control.loopStopped()
        logger.info("consumer stopped")
    }

    /// Messages taken per poll: what the lanes can start on next.
    private var pollRoom: Int { max(settings.batchSize * lanes.count, 1) }

    private func append(_ messages: [KafkaMessage]) {
        // A poll returns runs of one partition's messages: one queue lookup per run, not per message.
        var start = 0
        while start < messages.count {
            let first = messages[start]
            var end = start + 1
            while end < messages.count, messages[end].partition == first.partition, messages[end].topic == first.topic { end += 1 }
            let partition = KafkaTopicPartition(topic: first.topic, partition: first.partition)
            var run = messages[start..<end]
            start = end
            if !offsetsOwedByTransactions.isEmpty {
                run = run.drop { isCoveredByCommittedTransaction($0, partition: partition) }
                if run.isEmpty { continue }
            }
            if queues[partition] == nil {
                queues[partition] = PartitionQueue(epoch: nextEpoch)
                nextEpoch += 1
            }
            queues[partition]?.append(contentsOf: run, maxEventBytes: settings.maxEventBytes, ordering: settings.ordering)
        }
    }

    func processReady() {
        // Wake-ups are noted afresh each pass: by the scans (backoffs ending) and by settling.
        nextDue = nil
        dropRevokedPartitions()
        collectDeadLetterAcks()
        if pausedForCrash, let plugin = registry.active(named: settings.pluginName), !plugin.isCrashed { resumeAfterCrash() }
        dispatch()
        settleAll()
        if transactions != nil { commitFinished(force: false) }
        reportGauges()
    }

    /// Waits for every batch in the lanes to come back and records the answers (a stop, or an
    /// operator's pause: no event is left half-handled, none is handled twice).
    func drainLanes() {
        while lanes.busy > 0 {
            applyAll(lanes.takeResults(waitingUpTo: .milliseconds(100)))
            collectDeadLetterAcks()
        }
        settleAll()
    }

    /// `settle` on every partition queue.
    func settleAll() {
        for partition in Array(queues.keys) { settle(partition) }
    }

    func store(_ partition: KafkaTopicPartition, offset: Int64) {
        do {
            try consumer.storeOffset(topic: partition.topic, partition: partition.partition, offset: offset)
        } catch {
            logger.warning("offset not stored (partition revoked?); the event may be redelivered", metadata: ["error": "\(error)"])
        }
    }

    /// After a rebalance another member owns these partitions and will redeliver what we held.
    /// A partition revoked and assigned back is dropped too: librdkafka fetches it again from the
    /// committed offset, so what the queue held would arrive twice. Answers still in the lanes for
    /// a dropped queue are ignored when they come (its epoch is gone). Runs after every poll:
    /// a poll's batch never spans a rebalance (``KafkaConsumer/poll(maxMessages:timeout:)``), so
    /// nothing fetched for the new assignment is in a queue dropped here.
    private func dropRevokedPartitions() {
        let generation = consumer.assignmentGeneration
        guard generation != lastAssignmentGeneration else { return }
        // Every partition that left the assignment went through the rebalance callback.
        let revoked = consumer.takeRevokedPartitions()
        for partition in queues.keys where revoked.contains(partition) {
            logger.info("partition revoked; its unfinished events go to its new owner", metadata: ["partition": "\(partition)"])
            queues[partition] = nil
        }
        // An unanswered assignment query is not cached: the next pass asks again.
        guard let known = consumer.knownAssignment() else { return }
        lastAssignmentGeneration = generation
        let assigned = Set(known)
        for partition in queues.keys where !assigned.contains(partition) {
            logger.info("partition no longer assigned; its unfinished events go to its new owner", metadata: ["partition": "\(partition)"])
            queues[partition] = nil
        }
        if assigned != lastAssignment {
            lastAssignment = assigned
            if !offsetsOwedByTransactions.isEmpty { commitOffsetsOwedByTransactions() }
            logger.info("partitions assigned", metadata: [
                "count": "\(assigned.count)", "partitions": "\(assigned.map(\.description).sorted().joined(separator: ","))"])
        }
    }
}

extension ConsumerLoop {
    /// Partitions this member owns now (rebalance tests, `GET /plugins` later).
    var assignedCount: Int { consumer.assignment().count }
}

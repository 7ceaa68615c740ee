import Foundation
import Logging
import PakaKafka
import PakaPluginHost
import Synchronization

/// One plugin's consumer: poll → hand ready events to the plugin in batches → store offsets of
/// finished events → dead-letter FAILs and poison → back off RETRYs per partition.
///
/// Runs on its own thread (every call here blocks). Offsets are stored only after the plugin
/// answered OK or the event reached `<topic>.dlq`; librdkafka commits stored offsets in the
/// background and `close` commits the rest.
final class ConsumerLoop: @unchecked Sendable {
    // @unchecked: `queues` is touched only by the loop's own thread; the rest is immutable or atomic.
    struct Settings: Sendable {
        var pluginName: String
        var groupId: String
        var topics: [String]
        var batchSize: Int
        var retry: RetryPolicy
        var maxEventBytes: Int = 1 << 20
        var pollTimeout: Duration = .milliseconds(100)
        /// How long a stopping loop waits for dead letters already sent (see `awaitDeadLettersInFlight`).
        var deadLetterWaitAtStop: Duration = .seconds(10)
    }

    let settings: Settings
    let consumer: KafkaConsumer
    let registry: PluginRegistry
    let bus: KafkaBus
    let logger: Logger
    /// Operator requests (pause, resume, offset resets), served between batches.
    let control = ConsumerControl()
    /// True while this loop holds its partitions paused for the operator.
    var pausedByOperator = false
    /// `consumer.assignmentGeneration` when the held partitions were last paused.
    var heldGeneration = -1
    private let stopRequested = Atomic<Bool>(false)
    var queues: [KafkaTopicPartition: PartitionQueue] = [:]
    var lastAssignment: Set<KafkaTopicPartition> = []
    /// `consumer.assignmentGeneration` when `lastAssignment` was read; -1 before the first read.
    var lastAssignmentGeneration = -1
    /// Partitions are paused because the plugin is in state `crashed`.
    var pausedForCrash = false

    let observer: (any PipelineObserver)?
    /// Answers to dead letters sent without waiting; a partition's watermark passes a dead
    /// letter only once its answer says written.
    let deadLetterAcks = DeadLetterAcks()

    init(settings: Settings, configuration: KafkaConfiguration, registry: PluginRegistry, bus: KafkaBus,
         observer: (any PipelineObserver)? = nil, logger: Logger) throws(KafkaError) {
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
                                     onStatistics: onStatistics)
    }

    func requestStop() { stopRequested.store(true, ordering: .releasing) }

    /// Runs until `requestStop`; then finishes the batch in hand, commits and leaves the group.
    func run() {
        logger.info("consumer started", metadata: ["topics": "\(settings.topics.joined(separator: ","))"])
        while !stopRequested.load(ordering: .acquiring) {
            if serveOperator() { continue }
            let room = settings.batchSize - queues.values.reduce(0) { $0 + $1.count }
            let timeout = queues.values.contains(where: \.hasReadyWork) ? Duration.zero : settings.pollTimeout
            let messages = consumer.poll(maxMessages: max(room, 1), timeout: timeout)
            // A poll returns runs of one partition's messages: one queue lookup per run, not per message.
            var start = 0
            while start < messages.count {
                let first = messages[start]
                var end = start + 1
                while end < messages.count, messages[end].partition == first.partition, messages[end].topic == first.topic { end += 1 }
                queues[KafkaTopicPartition(topic: first.topic, partition: first.partition), default: PartitionQueue()]
                    .append(contentsOf: messages[start..<end], maxEventBytes: settings.maxEventBytes)
                start = end
            }
            processReady()
        }
        awaitDeadLettersInFlight(upTo: settings.deadLetterWaitAtStop)
        do { try consumer.commit() } catch { logger.warning("final commit failed; uncommitted events will be redelivered", metadata: ["error": "\(error)"]) }
        consumer.close()
        control.loopStopped()
        logger.info("consumer stopped")
    }

    func processReady() {
        dropRevokedPartitions()
        collectDeadLetterAcks()
        if pausedForCrash, let plugin = registry.active(named: settings.pluginName), !plugin.isCrashed { resumeAfterCrash() }
        var batch: [(partition: KafkaTopicPartition, indices: [Int])] = []
        var count = 0
        for (partition, queue) in queues where count < settings.batchSize {
            let indices = queue.readyIndices(limit: settings.batchSize - count)
            if !indices.isEmpty {
                batch.append((partition, indices))
                count += indices.count
            }
        }
        if count > 0 {
            logger.trace("handing a batch to the plugin", metadata: ["events": "\(count)"])
            handle(batch, count: count)
        }
        settleAll()
    }

    /// `settle` on every partition queue.
    func settleAll() {
        for partition in Array(queues.keys) { settle(&queues[partition]!, partition: partition) }
    }

    /// Hands the batch to the active version of the plugin; a swap in between just means the
    /// batch goes to the new version.
    func handle(_ batch: [(partition: KafkaTopicPartition, indices: [Int])], count: Int) {
        var events: [PluginEvent] = []
        events.reserveCapacity(count)
        for (partition, indices) in batch { queues[partition]!.beginAttempt(indices, appendingEventsTo: &events) }
        var outcomes: [EventOutcome]?
        while outcomes == nil {
            guard let plugin = registry.active(named: settings.pluginName) else {
                // Disabled meanwhile: the supervisor is about to stop this loop. The batch was not
                // handled, so it costs no attempt; it stays unstored and the group redelivers it.
                for (partition, indices) in batch { queues[partition]!.forgetAttempt(indices) }
                Thread.sleep(forTimeInterval: 0.05)
                return
            }
            if plugin.isCrashed { return holdWhileCrashed(batch) }
            let started = ContinuousClock.now
            outcomes = plugin.handle(events)
            if let answered = outcomes, plugin.isCrashed { return holdWhileCrashed(batch, keeping: answered) }
            if let observer, let outcomes {
                let elapsed = ContinuousClock.now - started
                let seconds = elapsed / .seconds(1)
                var ok = 0, retried = 0, failed = 0
                for outcome in outcomes {
                    switch outcome {
                    case .ok: ok += 1
                    case .retry: retried += 1
                    case .fail: failed += 1
                    }
                }
                observer.batchHandled(plugin: settings.pluginName, events: events.count, ok: ok, retried: retried, failed: failed, seconds: seconds)
            }
        }
        var next = 0
        for (partition, indices) in batch {
            queues[partition]!.record(outcomes![next..<(next + indices.count)], at: indices)
            next += indices.count
        }
    }

    /// Stores offsets of the finished head items, dead-letters FAILs and poison, schedules retries.
    func settle(_ queue: inout PartitionQueue, partition: KafkaTopicPartition) {
        // Offsets are a watermark: storing the last finished one covers every one before it.
        var finished: Int64?
        defer { if let finished { store(partition, offset: finished) } }
        defer { sendDeadLettersAhead(&queue) }  // after the head's own, so the .dlq keeps partition order
        while queue.count > 0 {
            // Fields are read in place: copying whole items per event cost more than the rest of settling.
            let head = queue.headIndex
            if let poison = queue[head].poison {
                guard deadLetter(queue[head], reason: "poison message: \(poison)", queue: &queue) else { return }
            } else if let known = queue[head].known {
                switch known {
                case .ok: break
                case .fail(let reason):
                    guard deadLetter(queue[head], reason: reason, queue: &queue) else { return }
                case .retry(let reason):
                    let attempts = queue[head].attempts
                    if let max = settings.retry.maxAttempts, attempts >= max {
                        guard deadLetter(queue[head], reason: "gave up after \(attempts) attempts: \(reason)", queue: &queue) else { return }
                    } else {
                        if queue.retryAt == nil {  // not scheduled yet for this attempt
                            forgiveWaitingAttempts(&queue)
                            wait(&queue, partition: partition, afterAttempt: attempts)
                        }
                        return
                    }
                }
            } else {
                return  // not handled yet
            }
            finished = queue[head].message.offset
            queue.removeFirst()
            queue.retryAt = nil
        }
        if queue.paused { resume(partition, &queue) }
    }

    /// Later events that answered RETRY while the head was failing only waited for it (plugins
    /// keep partition order that way): that try does not count against `retry.maxAttempts`.
    private func forgiveWaitingAttempts(_ queue: inout PartitionQueue) {
        for index in (queue.headIndex + 1)..<queue.items.count {
            if case .retry = queue[index].known {
                queue[index].known = nil
                queue[index].attempts -= 1
            }
        }
    }

    func wait(_ queue: inout PartitionQueue, partition: KafkaTopicPartition, afterAttempt attempt: Int) {
        let backoff = settings.retry.backoffMs(afterAttempt: attempt)
        queue.retryAt = ContinuousClock.now + .milliseconds(backoff)
        logger.debug("event will be retried; its partition waits", metadata: [
            "partition": "\(partition)", "offset": "\(queue.first?.message.offset ?? -1)", "attempt": "\(attempt)", "backoff_ms": "\(backoff)"])
        if !queue.paused {
            do {
                try consumer.pause(topic: partition.topic, partition: partition.partition)
                queue.paused = true
            } catch {
                logger.warning("could not pause partition while its head waits for a retry", metadata: ["partition": "\(partition)", "error": "\(error)"])
            }
        }
    }

    func resume(_ partition: KafkaTopicPartition, _ queue: inout PartitionQueue) {
        do {
            try consumer.resume(topic: partition.topic, partition: partition.partition)
            queue.paused = false
        } catch {
            logger.warning("could not resume partition", metadata: ["partition": "\(partition)", "error": "\(error)"])
        }
    }

    func store(_ partition: KafkaTopicPartition, offset: Int64) {
        do {
            try consumer.storeOffset(topic: partition.topic, partition: partition.partition, offset: offset)
        } catch {
            logger.warning("offset not stored (partition revoked?); the event may be redelivered", metadata: ["error": "\(error)"])
        }
    }

    /// After a rebalance another member owns these partitions and will redeliver what we held.
    /// A partition revoked and assigned back within one poll is dropped too: librdkafka fetches
    /// it again from the committed offset, so what the queue held would arrive twice.
    private func dropRevokedPartitions() {
        let generation = consumer.assignmentGeneration
        var revoked: Set<KafkaTopicPartition> = []
        // An unanswered assignment query is not cached: the next pass asks again.
        if generation != lastAssignmentGeneration, let known = consumer.knownAssignment() {
            lastAssignmentGeneration = generation
            revoked = consumer.takeRevokedPartitions()
            let assigned = Set(known)
            if assigned != lastAssignment {
                lastAssignment = assigned
                logger.info("partitions assigned", metadata: [
                    "count": "\(assigned.count)", "partitions": "\(assigned.map(\.description).sorted().joined(separator: ","))"])
            }
        }
        for partition in queues.keys where !lastAssignment.contains(partition) || revoked.contains(partition) {
            logger.info("partition revoked; its unfinished events go to its new owner", metadata: ["partition": "\(partition)"])
            queues[partition] = nil
        }
    }
}

extension ConsumerLoop {
    /// Partitions this member owns now (rebalance tests, `GET /plugins` later).
    var assignedCount: Int { consumer.assignment().count }
}

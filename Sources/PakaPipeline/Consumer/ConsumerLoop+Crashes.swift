import Foundation
import Logging
import PakaKafka
import PakaPluginHost

/// A plugin in state `crashed`: hold its batch and partitions until it is brought back.
extension ConsumerLoop {
    /// The plugin is in state `crashed`: what it answered before (OK, or FAIL for an event that
    /// crashed it) is kept; the rest of the batch costs no attempt and waits. Every partition
    /// pauses (the group keeps them) until a restart, swap or enable.
    func holdWhileCrashed(_ batch: [(partition: KafkaTopicPartition, indices: [Int])], keeping outcomes: [EventOutcome] = []) {
        var next = 0
        for (partition, indices) in batch {
            let answers = next + indices.count <= outcomes.count ? Array(outcomes[next..<(next + indices.count)]) : []
            next += indices.count
            let settled = zip(indices, answers).filter { $0.1.isSettled }
            queues[partition]!.record(ArraySlice(settled.map(\.1)), at: settled.map(\.0))
            let settledIndices = Set(settled.map(\.0))
            queues[partition]!.forgetAttempt(indices.filter { !settledIndices.contains($0) })
        }
        if !pausedForCrash {
            logger.error("plugin is in state crashed: its partitions pause until it is restarted, swapped or enabled",
                         metadata: ["last_crash": "\(registry.active(named: settings.pluginName)?.crashes.lastCrash?.reason ?? "unknown")"])
        }
        pausedForCrash = true
        for partition in consumer.assignment() { try? consumer.pause(topic: partition.topic, partition: partition.partition) }
        Thread.sleep(forTimeInterval: 0.1)
    }

    func resumeAfterCrash() {
        pausedForCrash = false
        logger.info("plugin back from state crashed: its partitions resume")
        for partition in consumer.assignment() where !(queues[partition]?.paused ?? false) {
            try? consumer.resume(topic: partition.topic, partition: partition.partition)
        }
    }
}

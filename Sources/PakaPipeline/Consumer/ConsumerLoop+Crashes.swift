import Foundation
import Logging
import PakaKafka
import PakaPluginHost

/// A plugin in state `crashed`: hold its partitions until it is brought back.
extension ConsumerLoop {
    /// The plugin is in state `crashed`: what it answered before (OK, or FAIL for an event that
    /// crashed it) was kept; the rest waits without losing an attempt. Every partition pauses
    /// (the group keeps them) until a restart, swap or enable.
    func holdWhileCrashed() {
        if !pausedForCrash {
            logger.error("plugin is in state crashed: its partitions pause until it is restarted, swapped or enabled",
                         metadata: ["last_crash": "\(registry.active(named: settings.pluginName)?.crashes.lastCrash?.reason ?? "unknown")"])
        }
        pausedForCrash = true
        for partition in consumer.assignment() {
            do { try consumer.pause(topic: partition.topic, partition: partition.partition) } catch {
                // The loop hands nothing out while crashed; an unpaused partition only fills its window.
                logger.warning("could not pause a partition of a crashed plugin", metadata: ["partition": "\(partition)", "error": "\(error)"])
            }
        }
    }

    func resumeAfterCrash() {
        pausedForCrash = false
        logger.info("plugin back from state crashed: its partitions resume")
        for partition in consumer.assignment() where !(queues[partition]?.pausedForRoom ?? false) {
            do { try consumer.resume(topic: partition.topic, partition: partition.partition) } catch {
                logger.warning("could not resume a partition after the crash", metadata: ["partition": "\(partition)", "error": "\(error)"])
            }
        }
    }
}

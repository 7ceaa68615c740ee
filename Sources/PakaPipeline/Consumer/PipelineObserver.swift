/// What the consumers report for `GET /metrics` (the HTTP layer's `PakaMetrics` implements it).
public protocol PipelineObserver: Sendable {
    /// One `handle` call: how many events of each outcome, and how long the plugin took.
    func batchHandled(plugin: String, events: Int, ok: Int, retried: Int, failed: Int, seconds: Double)
    /// Consumer lag of one partition, from librdkafka's statistics (messages behind the end).
    func consumerLag(group: String, topic: String, partition: Int32, lag: Int64)
    /// A consumer's lanes, about once a second: events in the lanes now, events answered RETRY
    /// and waiting for their backoff, lanes busy (of `lanes`).
    func lanesObserved(plugin: String, inFlight: Int, heldForRetry: Int, busyLanes: Int, lanes: Int)
}

extension PipelineObserver {
    public func lanesObserved(plugin: String, inFlight: Int, heldForRetry: Int, busyLanes: Int, lanes: Int) {}
}

/// Reads per-partition `consumer_lag` out of librdkafka's statistics JSON.
enum ConsumerStatistics {
    static func lags(fromStatistics json: String) -> [(topic: String, partition: Int32, lag: Int64)] {
        // librdkafka writes these; one that is not JSON gives no lag this time (the next comes in 5 s).
        guard let root = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
              let topics = root["topics"] as? [String: Any] else { return [] }
        var lags: [(String, Int32, Int64)] = []
        for (topic, value) in topics {
            guard let partitions = (value as? [String: Any])?["partitions"] as? [String: Any] else { continue }
            for (key, stats) in partitions {
                // "-1" is librdkafka's internal unassigned partition; lag -1 means not known yet.
                guard let partition = Int32(key), partition >= 0,
                      let lag = ((stats as? [String: Any])?["consumer_lag"] as? NSNumber)?.int64Value, lag >= 0 else { continue }
                lags.append((topic, partition, lag))
            }
        }
        return lags
    }
}

import PakaPluginHost
import Foundation

import Foundation

/// A consumer's lanes as last reported (about once a second while it runs): the same figures
/// as the `paka_consumer_*` gauges in `/metrics`, for `GET /plugins` and the console's cards.
public struct LaneGauges: Sendable, Codable, Equatable {
    /// Events handed to the lanes and not answered yet.
    public var inFlight: Int
    /// Events answered RETRY, waiting for their backoff.
    public var heldForRetry: Int
    /// Lanes handling a batch now, of `lanes`.
    public var busyLanes: Int
    public var lanes: Int
    /// When the consumer reported them: a stopped consumer's last figures stay, so a reader
    /// can tell how old they are.
    public var observedAt: Date

    public init(inFlight: Int, heldForRetry: Int, busyLanes: Int, lanes: Int, observedAt: Date = Date()) {
        self.inFlight = inFlight
        self.heldForRetry = heldForRetry
        self.busyLanes = busyLanes
        self.lanes = lanes
        self.observedAt = observedAt
    }
}

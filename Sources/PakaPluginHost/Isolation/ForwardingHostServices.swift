import Logging

/// The host table's services inside a `paka worker`: `publish` and `log` travel to the host
/// over the channel (the host validates and produces as for an in-process plugin).
///
/// Why publish does not wait for the host's answer: the answer depends only on the topic name
/// and the data being JSON, which the worker checks with the host's own functions; not waiting
/// means a plugin publishing from inside `handle` never blocks on the channel's other direction.
/// Frames stay in order, so the host has the event before it reads the batch's results.
final class ForwardingHostServices: PluginHostServices {
    private let channel: FrameChannel
    private let dataDirectory: String

    init(channel: FrameChannel, dataDirectory: String) {
        self.channel = channel
        self.dataDirectory = dataDirectory
    }

    func publish(from plugin: String, topic: String, key: String, data: [UInt8]) -> Bool {
        publishChecked(from: plugin, topic: topic, key: key, data: data) == .accepted
    }

    /// ABI 1.1's three answers: refused for good (invalid topic, data not JSON — the host's own
    /// checks), retry later (the channel to the host is gone: the worker is being replaced), or
    /// accepted.
    func publishChecked(from plugin: String, topic: String, key: String, data: [UInt8]) -> PluginPublishOutcome {
        guard Topics.isValidName(topic) else { return .refused("'\(topic)' is not a valid topic name") }
        guard CloudEvent.isJSONValue(data) else { return .refused("data for topic '\(topic)' is not a JSON value") }
        guard channel.send(WorkerMessages.encodePublish(topic: topic, key: key, data: data)) else {
            return .retryLater("the connection to the host is closed (the worker is being replaced)")
        }
        return .accepted
    }

    func log(from plugin: String, level: Logger.Level, message: String) {
        let index = Logger.Level.allCases.firstIndex(of: level) ?? 2
        channel.send(WorkerMessages.encodeLog(level: UInt8(index), message: message))
    }

    func dataDirectory(for plugin: String) -> String { dataDirectory }
}

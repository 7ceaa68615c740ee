import CPakaABI
import Foundation

/// The host, as a plugin sees it: publish, log, data folder. Safe from any thread.
public struct PluginHost: @unchecked Sendable {
    // @unchecked: a copy of a const table whose ctx and functions live until the instance is destroyed.
    private let table: paka_host

    /// Reads the table size-aware: `min(struct_size, sizeof)` bytes over a zeroed table, so a
    /// field an older host does not have reads as NULL instead of past the host's struct.
    init(table: UnsafePointer<paka_host>) {
        var copy = paka_host()
        let declared = Int(clamping: UnsafeRawPointer(table).load(as: Int.self))
        withUnsafeMutableBytes(of: &copy) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(start: table, count: max(0, min(declared, target.count))))
        }
        self.table = copy
    }

    public enum Level: Sendable { case debug, info, warning, error }

    /// The host's ABI version, e.g. "1.1".
    public var abiVersion: String { "\(table.abi_major).\(table.abi_minor)" }

    public func log(_ level: Level, _ message: String) {
        let cLevel: paka_log_level = switch level {
        case .debug: PAKA_LOG_DEBUG
        case .info: PAKA_LOG_INFO
        case .warning: PAKA_LOG_WARN
        case .error: PAKA_LOG_ERROR
        }
        var bytes = Array(message.utf8)
        bytes.withUnsafeMutableBufferPointer { table.log?(table.ctx, cLevel, paka_bytes(ptr: $0.baseAddress, len: $0.count)) }
    }

    /// Publishes `json` (any JSON value: the event's `data`) on `topic` with Kafka key `key`.
    ///
    /// Throws `PluginError.retry` when the host cannot take it now (the triggering event is
    /// redelivered later) and `PluginError.fail` when it never will (invalid topic, data not
    /// JSON): retrying that would stop the partition for good. Thrown from `handle`, both give
    /// the event the matching result.
    public func publish(topic: String, key: String, json: [UInt8]) throws {
        // The reason buffer lives on the stack: this runs once per published event.
        let (status, reason) = withUnsafeTemporaryAllocation(of: CChar.self, capacity: 256) { why -> (paka_publish_status, String) in
            why[0] = 0
            let status: paka_publish_status = Array(topic.utf8).withUnsafeBufferPointer { t in
                Array(key.utf8).withUnsafeBufferPointer { k in
                    json.withUnsafeBufferPointer { d in
                        let (topic, key, data) = (paka_bytes(ptr: t.baseAddress, len: t.count), paka_bytes(ptr: k.baseAddress, len: k.count),
                                                  paka_bytes(ptr: d.baseAddress, len: d.count))
                        if let checked = table.publish_checked {
                            return checked(table.ctx, topic, key, data, why.baseAddress, why.count)
                        }
                        // A 1.0 host: -1 was documented as "invalid topic or data not JSON", both permanent.
                        guard let publish = table.publish else { return PAKA_PUBLISH_REFUSED }
                        return publish(table.ctx, topic, key, data) == 0 ? PAKA_PUBLISH_OK : PAKA_PUBLISH_REFUSED
                    }
                }
            }
            why[why.count - 1] = 0  // a host that filled the buffer without a NUL cannot make us read past it
            return (status, status == PAKA_PUBLISH_OK ? "" : String(cString: why.baseAddress!))
        }
        switch status {
        case PAKA_PUBLISH_OK: return
        case PAKA_PUBLISH_RETRY:
            throw PluginError.retry("host cannot publish on '\(topic)' now: \(reason.isEmpty ? "no reason given" : reason)")
        default:
            throw PluginError.fail("host refused to publish on '\(topic)': \(reason.isEmpty ? "no reason given" : reason)")
        }
    }

    /// Encodes `data` as JSON and publishes it.
    public func publish(topic: String, key: String, data: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try publish(topic: topic, key: key, json: Array(try encoder.encode(data)))
    }

    /// The folder this plugin may write to, created on first use. Throws rather than fall back
    /// to a shared folder: data written where nobody looks for it is data lost.
    public var dataDirectory: String {
        get throws(DataDirectoryError) {
            guard let dir = table.data_dir?(table.ctx) else { throw .notGiven }
            let path = String(cString: dir)
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw .cannotCreate(path: path, reason: error.localizedDescription)
            }
            return path
        }
    }
}

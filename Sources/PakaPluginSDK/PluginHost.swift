import CPakaABI
import Foundation

/// The host, as a plugin sees it: publish, log, data folder. Safe from any thread.
public struct PluginHost: @unchecked Sendable {
    // @unchecked: the table is const and lives until the instance is destroyed.
    private let table: UnsafePointer<paka_host>

    init(table: UnsafePointer<paka_host>) { self.table = table }

    public enum Level: Sendable { case debug, info, warning, error }

    public func log(_ level: Level, _ message: String) {
        let cLevel: paka_log_level = switch level {
        case .debug: PAKA_LOG_DEBUG
        case .info: PAKA_LOG_INFO
        case .warning: PAKA_LOG_WARN
        case .error: PAKA_LOG_ERROR
        }
        var bytes = Array(message.utf8)
        bytes.withUnsafeMutableBufferPointer { table.pointee.log(table.pointee.ctx, cLevel, paka_bytes(ptr: $0.baseAddress, len: $0.count)) }
    }

    /// Publishes `json` (any JSON value: the event's `data`) on `topic` with Kafka key `key`.
    /// Throws `PluginError.retry` when the host refuses it, so the triggering event is redelivered.
    public func publish(topic: String, key: String, json: [UInt8]) throws {
        let status = Array(topic.utf8).withUnsafeBufferPointer { t in
            Array(key.utf8).withUnsafeBufferPointer { k in
                json.withUnsafeBufferPointer { d in
                    table.pointee.publish(table.pointee.ctx, paka_bytes(ptr: t.baseAddress, len: t.count),
                                          paka_bytes(ptr: k.baseAddress, len: k.count), paka_bytes(ptr: d.baseAddress, len: d.count))
                }
            }
        }
        if status != 0 { throw PluginError.retry("host refused to publish on '\(topic)'") }
    }

    /// Encodes `data` as JSON and publishes it.
    public func publish(topic: String, key: String, data: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        try publish(topic: topic, key: key, json: Array(try encoder.encode(data)))
    }

    /// A folder this plugin may write to (created on first use).
    public var dataDirectory: String {
        guard table.pointee.struct_size >= paka_host_min_size, let dir = table.pointee.data_dir(table.pointee.ctx) else {
            return FileManager.default.temporaryDirectory.path
        }
        let path = String(cString: dir)
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}

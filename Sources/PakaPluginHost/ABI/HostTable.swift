import CPakaABI
import Foundation
import Logging

/// The `paka_host` table handed to one plugin instance, and the context its callbacks reach.
///
/// The table and its context live until the instance is destroyed; the plugin receives a
/// `const` pointer and the `ctx` it passes back is an unretained reference to this object.
final class HostTable: @unchecked Sendable {
    // @unchecked: immutable after init; the raw pointers are owned here and freed in deinit.
    let pluginName: String
    let services: any PluginHostServices
    let table: UnsafeMutablePointer<paka_host>
    private let dataDir: UnsafeMutablePointer<CChar>

    init(pluginName: String, services: any PluginHostServices) {
        self.pluginName = pluginName
        self.services = services
        self.dataDir = strdup(services.dataDirectory(for: pluginName))!
        self.table = .allocate(capacity: 1)
        table.initialize(to: paka_host(
            struct_size: MemoryLayout<paka_host>.size,
            abi_major: UInt16(PAKA_ABI_MAJOR), abi_minor: UInt16(PAKA_ABI_MINOR),
            ctx: nil, publish: hostPublish, log: hostLog, data_dir: hostDataDir, publish_checked: hostPublishChecked))
        table.pointee.ctx = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        table.deinitialize(count: 1)
        table.deallocate()
        free(dataDir)
    }

    fileprivate static func from(_ ctx: UnsafeMutableRawPointer?) -> HostTable? {
        ctx.map { Unmanaged<HostTable>.fromOpaque($0).takeUnretainedValue() }
    }

    fileprivate var dataDirPointer: UnsafePointer<CChar> { UnsafePointer(dataDir) }
}

extension paka_bytes {
    /// Copies the bytes out; the C side owns the buffer.
    var array: [UInt8] {
        guard let ptr, len > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: ptr, count: len))
    }

    var string: String { String(decoding: array, as: UTF8.self) }
}

/// 1.0 `publish`: 0 or -1, whatever the reason (1.0 cannot say more).
private func hostPublish(_ ctx: UnsafeMutableRawPointer?, _ topic: paka_bytes, _ key: paka_bytes, _ data: paka_bytes) -> Int32 {
    guard let host = HostTable.from(ctx) else { return -1 }
    return host.services.publishChecked(from: host.pluginName, topic: topic.string, key: key.string, data: data.array) == .accepted ? 0 : -1
}

/// 1.1 `publish_checked`: the three-way answer, with the reason written into the caller's buffer.
private func hostPublishChecked(_ ctx: UnsafeMutableRawPointer?, _ topic: paka_bytes, _ key: paka_bytes, _ data: paka_bytes,
                                _ why: UnsafeMutablePointer<CChar>?, _ whyCapacity: Int) -> paka_publish_status {
    guard let host = HostTable.from(ctx) else { return PAKA_PUBLISH_REFUSED }
    let outcome = host.services.publishChecked(from: host.pluginName, topic: topic.string, key: key.string, data: data.array)
    if outcome != .accepted { writeNULTerminated(outcome.reason, to: why, capacity: whyCapacity) }
    return outcome.status
}

/// Copies as much of `text` as fits, always NUL-terminated, never splitting a UTF-8 sequence.
func writeNULTerminated(_ text: String, to buffer: UnsafeMutablePointer<CChar>?, capacity: Int) {
    guard let buffer, capacity > 0 else { return }
    var bytes = Array(text.utf8.prefix(capacity - 1))
    while let last = bytes.last, last & 0xC0 == 0x80 || last >= 0xC0 {
        // Drop a cut multi-byte sequence: trailing continuation bytes and their lead byte.
        let lead = bytes.lastIndex(where: { $0 & 0xC0 != 0x80 }) ?? 0
        let needed = bytes[lead] >= 0xF0 ? 4 : bytes[lead] >= 0xE0 ? 3 : bytes[lead] >= 0xC0 ? 2 : 1
        if bytes.count - lead >= needed { break }
        bytes.removeSubrange(lead...)
    }
    for (i, byte) in bytes.enumerated() { buffer[i] = CChar(bitPattern: byte) }
    buffer[bytes.count] = 0
}

private func hostLog(_ ctx: UnsafeMutableRawPointer?, _ level: paka_log_level, _ message: paka_bytes) {
    guard let host = HostTable.from(ctx) else { return }
    let swiftLevel: Logger.Level = switch level {
    case PAKA_LOG_DEBUG: .debug
    case PAKA_LOG_WARN: .warning
    case PAKA_LOG_ERROR: .error
    default: .info
    }
    host.services.log(from: host.pluginName, level: swiftLevel, message: message.string)
}

private func hostDataDir(_ ctx: UnsafeMutableRawPointer?) -> UnsafePointer<CChar>? {
    HostTable.from(ctx)?.dataDirPointer
}

import CPakaABI

/// What the C `instance` pointer refers to: the plugin object plus the buffers it handed the
/// host last time (valid until the next call on this instance, as the ABI promises).
final class InstanceBox {
    let plugin: any PakaPlugin
    private var lastAllocations: [UnsafeMutableRawPointer] = []

    init(plugin: any PakaPlugin) { self.plugin = plugin }

    deinit { releaseLast() }

    /// Frees what the previous call returned; called at the start of every call.
    func releaseLast() {
        lastAllocations.forEach { free($0) }
        lastAllocations.removeAll(keepingCapacity: true)
    }

    /// A NUL-terminated copy owned by this instance until its next call.
    func keep(_ text: String) -> UnsafePointer<CChar> {
        let copy = strdup(text)!
        lastAllocations.append(UnsafeMutableRawPointer(copy))
        return UnsafePointer(copy)
    }

    /// A byte copy owned by this instance until its next call.
    func keep(bytes: [UInt8]) -> paka_bytes {
        guard !bytes.isEmpty, let memory = malloc(bytes.count) else { return paka_bytes(ptr: nil, len: 0) }
        bytes.withUnsafeBytes { memory.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        lastAllocations.append(memory)
        return paka_bytes(ptr: memory.assumingMemoryBound(to: UInt8.self), len: bytes.count)
    }

    static func from(_ pointer: UnsafeMutableRawPointer?) -> InstanceBox {
        Unmanaged<InstanceBox>.fromOpaque(pointer!).takeUnretainedValue()
    }
}

#if canImport(Glibc)
import Glibc
#endif

import CPakaABI
import Synchronization

/// Builds the C descriptor for a `PakaPlugin` type and bridges every C hook to it.
///
/// The descriptor and its strings are allocated once and never freed: the ABI says they are
/// STATIC, and the image is never unloaded. Each plugin image links its own copy of this SDK,
/// so the exported type below is per image.
public enum PluginExport {
    // Written once under `lock`, then only read: the descriptor is immutable after publication.
    private static let lock = Mutex(())
    nonisolated(unsafe) private static var exported: (any PakaPlugin.Type)?
    nonisolated(unsafe) private static var descriptor: UnsafeMutablePointer<paka_plugin_descriptor>?

    public static func entry(for type: any PakaPlugin.Type) -> UnsafeRawPointer {
        lock.withLock { _ in
            if let descriptor { return UnsafeRawPointer(descriptor) }
            exported = type
            let descriptor = UnsafeMutablePointer<paka_plugin_descriptor>.allocate(capacity: 1)
            let topics = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: max(type.topics.count, 1))
            for (i, topic) in type.topics.enumerated() { topics[i] = UnsafePointer(strdup(topic)) }
            var capabilities: UInt64 = 0
            if type is any PakaFlushing.Type { capabilities |= UInt64(PAKA_CAP_FLUSH) }
            if type is any PakaHealthReporting.Type { capabilities |= UInt64(PAKA_CAP_HEALTH) }
            if type is any PakaHTTPServing.Type { capabilities |= UInt64(PAKA_CAP_HTTP) }
            descriptor.initialize(to: paka_plugin_descriptor(
                struct_size: UInt32(MemoryLayout<paka_plugin_descriptor>.size),
                abi_major: UInt16(PAKA_ABI_MAJOR), abi_minor: UInt16(PAKA_ABI_MINOR),
                name: UnsafePointer(strdup(type.name)), version: UnsafePointer(strdup(type.version)),
                topics: UnsafePointer(topics), topic_count: type.topics.count,
                default_group: type.consumerGroup.map { UnsafePointer(strdup($0)) },
                capabilities: capabilities,
                create: sdkCreate, handle: sdkHandle, destroy: sdkDestroy,
                flush: capabilities & UInt64(PAKA_CAP_FLUSH) != 0 ? sdkFlush : nil,
                health: capabilities & UInt64(PAKA_CAP_HEALTH) != 0 ? sdkHealth : nil,
                http: capabilities & UInt64(PAKA_CAP_HTTP) != 0 ? sdkHTTP : nil,
                description: type.summary.map { UnsafePointer(strdup($0)) }))
            Self.descriptor = descriptor
            return UnsafeRawPointer(descriptor)
        }
    }

    static var exportedType: (any PakaPlugin.Type)? { lock.withLock { _ in exported } }
}

#if canImport(Glibc)
import Glibc
#endif

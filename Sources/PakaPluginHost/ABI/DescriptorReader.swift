import CPakaABI
import CPakaABIHost

/// Reads and checks a `paka_plugin_descriptor`, PostgreSQL-style: size first, then version,
/// then every field, refusing with a message that names what differs.
enum DescriptorReader {
    /// struct_size, abi_major and abi_minor: the 8 bytes every ABI
    /// version starts with, so the only bytes read before the size is known.
    static let headerSize = 8

    static func read(_ raw: UnsafePointer<paka_plugin_descriptor>, path: String) throws(PluginLoadError) -> (PluginDescriptor, PluginVTable) {
        // Only struct_size is safe to read before we know how big the struct is.
        let size = UnsafeRawPointer(raw).load(as: UInt32.self)
        guard Int(size) >= headerSize else {
            throw PluginLoadError(.descriptorTooSmall, path: path,
                "descriptor is \(size) bytes but ABI \(PAKA_ABI_MAJOR).x needs at least \(paka_descriptor_min_size); "
                + "was it built against an old or foreign header?")
        }
        // Copy what the plugin declared, no more, into a zeroed host-sized struct: an older minor's
        // shorter descriptor leaves the newer fields NULL/0 instead of reading past its end.
        let d = copyDeclared(raw, size: Int(size))
        let abiMajor = Int(d.abi_major)
        let abiMinor = Int(d.abi_minor)
        if abiMajor != Int(PAKA_ABI_MAJOR) {
            throw PluginLoadError(.abiMajorMismatch, path: path,
                "plugin was built for ABI \(abiMajor).\(abiMinor) but this host speaks ABI \(PluginDescriptor.hostABIVersion); "
                + "major versions must match: rebuild the plugin against this host's paka_plugin.h")
        }
        guard size >= paka_descriptor_min_size else {
            throw PluginLoadError(.descriptorTooSmall, path: path,
                "descriptor is \(size) bytes but ABI \(PAKA_ABI_MAJOR).x needs at least \(paka_descriptor_min_size); "
                + "was it built against an old or foreign header?")
        }
        func text(_ p: UnsafePointer<CChar>?, _ field: String) throws(PluginLoadError) -> String {
            guard let p else {
                throw PluginLoadError(.invalidDescriptor, path: path, "descriptor field '\(field)' is NULL")
            }
            return String(cString: p)
        }
        let name = try text(d.name, "name")
        guard PluginDescriptor.isValidName(name) else {
            throw PluginLoadError(.invalidDescriptor, path: path,
                "plugin name '\(name)' is invalid; use 1-64 characters from [a-z0-9_-]")
        }
        let version = try text(d.version, "version")
        guard !version.isEmpty else {
            throw PluginLoadError(.invalidDescriptor, path: path, "plugin '\(name)' has an empty version")
        }
        var topics: [String] = []
        if d.topic_count > 0 {
            guard let list = d.topics else {
                throw PluginLoadError(.invalidDescriptor, path: path, "plugin '\(name)' declares \(d.topic_count) topics but 'topics' is NULL")
            }
            for i in 0..<d.topic_count { topics.append(try text(list[i], "topics[\(i)]")) }
        }
        guard let create = d.create, let handle = d.handle, let destroy = d.destroy else {
            let missing = [d.create == nil ? "create" : nil, d.handle == nil ? "handle" : nil, d.destroy == nil ? "destroy" : nil]
            throw PluginLoadError(.invalidDescriptor, path: path,
                "plugin '\(name)' leaves required hook(s) \(missing.compactMap { $0 }.joined(separator: ", ")) NULL")
        }
        let claimed = PluginDescriptor.Capabilities(rawValue: d.capabilities)
        let caps = claimed.intersection(.known)
        let hooks: [(PluginDescriptor.Capabilities, Bool, String)] = [
            (.flush, d.flush != nil, "flush"), (.health, d.health != nil, "health"), (.http, d.http != nil, "http"),
        ]
        for (cap, present, hookName) in hooks where caps.contains(cap) && !present {
            throw PluginLoadError(.invalidDescriptor, path: path,
                "plugin '\(name)' declares the \(hookName) capability but its '\(hookName)' hook is NULL")
        }
        let descriptor = PluginDescriptor(
            name: name, version: version, abiMajor: abiMajor, abiMinor: abiMinor, topics: topics,
            defaultGroup: d.default_group.map { String(cString: $0) } ?? "paka-\(name)",
            capabilities: caps, ignoredCapabilityBits: claimed.rawValue & ~PluginDescriptor.Capabilities.known.rawValue,
            summary: d.description.map { String(cString: $0) } ?? "")
        let vtable = PluginVTable(
            create: create, handle: handle, destroy: destroy,
            flush: caps.contains(.flush) ? d.flush : nil,
            health: caps.contains(.health) ? d.health : nil,
            http: caps.contains(.http) ? d.http : nil)
        return (descriptor, vtable)
    }

    /// `min(size, sizeof)` bytes of the plugin's descriptor over a zeroed one: fields past the
    /// plugin's size read as NULL/0, fields past this host's size are never looked at.
    static func copyDeclared(_ raw: UnsafePointer<paka_plugin_descriptor>, size: Int) -> paka_plugin_descriptor {
        var copy = paka_plugin_descriptor()
        withUnsafeMutableBytes(of: &copy) { target in
            target.copyMemory(from: UnsafeRawBufferPointer(start: raw, count: min(size, target.count)))
        }
        return copy
    }
}

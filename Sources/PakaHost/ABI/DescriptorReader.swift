import CPakaABI

/// Reads and checks a `paka_plugin_descriptor`, PostgreSQL-style: size first, then version,
/// then every field, refusing with a message that names what differs.
enum DescriptorReader {
    static func read(_ raw: UnsafePointer<paka_plugin_descriptor>, path: String) throws(PluginLoadError) -> (PluginDescriptor, PluginVTable) {
        // Only struct_size is safe to read before we know how big the struct is.
        let size = UnsafeRawPointer(raw).load(as: UInt32.self)
        let abiMajor = Int(raw.pointee.abi_major)
        let abiMinor = Int(raw.pointee.abi_minor)
        if size >= 8, abiMajor != Int(PAKA_ABI_MAJOR) {
            throw PluginLoadError(.abiMajorMismatch, path: path,
                "plugin was built for ABI \(abiMajor).\(abiMinor) but this host speaks ABI \(PluginDescriptor.hostABIVersion); "
                + "major versions must match: rebuild the plugin against this host's paka_plugin.h")
        }
        guard size >= paka_descriptor_min_size else {
            throw PluginLoadError(.descriptorTooSmall, path: path,
                "descriptor is \(size) bytes but ABI \(PAKA_ABI_MAJOR).x needs at least \(paka_descriptor_min_size); "
                + "was it built against an old or foreign header?")
        }
        let d = raw.pointee
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
            capabilities: caps, ignoredCapabilityBits: claimed.rawValue & ~PluginDescriptor.Capabilities.known.rawValue)
        let vtable = PluginVTable(
            create: create, handle: handle, destroy: destroy,
            flush: caps.contains(.flush) ? d.flush : nil,
            health: caps.contains(.health) ? d.health : nil,
            http: caps.contains(.http) ? d.http : nil)
        return (descriptor, vtable)
    }
}

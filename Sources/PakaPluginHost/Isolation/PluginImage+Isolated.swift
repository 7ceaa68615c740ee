import CPakaABI

extension PluginImage {
    /// The image of a process-isolated plugin as the host knows it: what the worker's loader
    /// checked and reported. Nothing is mapped in the host; its calls go through the worker.
    static func isolated(sourcePath: String, sha256: String, descriptor: PluginDescriptor) -> PluginImage {
        PluginImage(sourcePath: sourcePath, loadedPath: "(in its worker process)", sha256: sha256, descriptor: descriptor, vtable: .isolated)
    }
}

extension PluginVTable {
    /// Hooks that are never called: a process-isolated image's instances live in its worker.
    static let isolated = PluginVTable(
        create: { _, _, _, error, cap in
            if let error, cap > 0 { error.pointee = 0 }
            return 1
        },
        handle: { _, _, count, results in
            for i in 0..<count { results?[i] = paka_event_result(code: PAKA_RETRY, error: nil) }
        },
        destroy: { _ in }, flush: nil, health: nil, http: nil)
}

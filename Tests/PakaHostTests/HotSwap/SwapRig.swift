import Foundation
@testable import PakaPipeline
@testable import PakaPluginHost
@testable import PakaServer
import Synchronization

/// A plugin directory with plugins.json and the scripted plugin installed, a `PipelineHarness`
/// whose registry was loaded from it, and the real `PluginDirectoryWatcher` reloading it the way
/// `PakaApplication.reloadPlugins` does.
final class SwapRig: @unchecked Sendable {
    let pluginDir = TemporaryDirectory()
    let harness: PipelineHarness
    var library: String { pluginDir.file("libscripted.so") }
    var pluginsFile: String { pluginDir.file("plugins.json") }
    private var watching: Task<Void, Error>?
    let reloads = Atomic<Int>(0)

    /// `v1`: a built scripted plugin (`SwapRig.build`).
    init(v1: String, partitions: Int32 = 1, batchSize: Int = 100) throws {
        try FileManager.default.copyItem(atPath: v1, toPath: pluginDir.file("libscripted.so"))
        harness = try PipelineHarness(partitions: partitions, batchSize: batchSize, plugin: pluginDir.file("libscripted.so"))
        // The same entry as the harness's, as a file: the first reload changes nothing.
        _ = pluginDir.write("plugins.json", """
            {"pluginDir": "\(pluginDir.path)", "plugins": [{"name": "scripted", "library": "\(library)", "batchSize": \(batchSize),
              "retry": {"initialBackoffMs": 50, "maxBackoffMs": 200}, "config": {"record": "\(harness.record)"}}]}
            """)
        precondition(reload().isEmpty)
    }

    deinit { watching?.cancel() }

    var registry: PluginRegistry { harness.registry }
    var active: LoadedPlugin? { registry.active(named: "scripted") }
    var status: PluginStatus? { registry.statuses().first { $0.name == "scripted" } }

    /// What the watcher runs: plugins.json applied, a refused unchanged file left alone.
    @discardableResult
    func reload() -> [PluginLoadError] {
        guard let configuration = try? PakaConfiguration.load(path: pluginsFile, environment: [:]) else { return [] }
        return registry.apply(configuration, retryRejected: false)
    }

    func startWatching(interval: Duration = .milliseconds(50)) {
        // A pool of its own: the full parallel run keeps the shared pool busy with other suites'
        // hosts, and a reload queued behind them once landed after the whole stream (CI, 08:50).
        let watcher = PluginDirectoryWatcher(interval: interval, logger: .test, pool: BlockingPool(threads: 2), targets: { [pluginDir, pluginsFile] in
            .init(directories: [pluginDir.path], files: [pluginsFile])
        }, reload: { [self] _ in
            reloads.add(1, ordering: .relaxed)
            reload()
        })
        watching = Task { try await watcher.run() }
    }

    /// The safe install: a copy under a temporary dotfile name, then an atomic rename.
    func install(_ built: String, as name: String = "libscripted.so") throws {
        let temporary = pluginDir.file(".\(name).tmp")
        try? FileManager.default.removeItem(atPath: temporary)
        try FileManager.default.copyItem(atPath: built, toPath: temporary)
        guard rename(temporary, pluginDir.file(name)) == 0 else { throw PluginCompiler.Failure(description: "rename failed") }
    }

    /// The scripted fixture as version `version`, plus any other `-D` defines.
    static func build(_ version: String, _ defines: [String] = []) throws -> String {
        try PluginCompiler.build(defines: ["FIXTURE_VERSION=\"\(version)\""] + defines,
                                 name: "scripted-\(version)-\(defines.joined().filter { $0.isLetter || $0.isNumber })")
    }
}

/// This process's resident set, from /proc/self/statm (second field, in pages).
func residentKilobytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return (fields.count > 1 ? Int(fields[1]) ?? 0 : 0) * Int(sysconf(Int32(_SC_PAGESIZE))) / 1024
}

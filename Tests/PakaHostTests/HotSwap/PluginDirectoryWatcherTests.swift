import Foundation
import Hummingbird
@testable import PakaPipeline
@testable import PakaPluginHost
import PakaTestSupport
import Synchronization
import Testing

/// The watcher acts once per settled change and never on a half-written or temporary file.
@Suite struct PluginDirectoryWatcherTests {
    typealias Stamp = FileStabilityTracker.Stamp

    private func stamp(size: Int64, mtime: Int, inode: UInt64 = 1) -> Stamp {
        Stamp(size: size, mtime: timespec(tv_sec: mtime, tv_nsec: 0), inode: inode, ctime: timespec(tv_sec: mtime, tv_nsec: 0))
    }

    @Test func aFileStillGrowingIsActedOnOnlyOnceSizeAndMtimeHeldForTwoPolls() {
        var tracker = FileStabilityTracker(baseline: [:])
        #expect(tracker.observe(["/p/a.so": stamp(size: 100, mtime: 1)]) == nil)  // new: wait a poll
        #expect(tracker.observe(["/p/a.so": stamp(size: 200, mtime: 2)]) == nil)  // still growing
        #expect(tracker.observe(["/p/a.so": stamp(size: 200, mtime: 2)]) == ["/p/a.so"])
        #expect(tracker.observe(["/p/a.so": stamp(size: 200, mtime: 2)]) == nil)  // already acted on
    }

    @Test func aRemovedFileIsActedOnOnceItStaysGone() {
        var tracker = FileStabilityTracker(baseline: ["/p/a.so": stamp(size: 1, mtime: 1)])
        #expect(tracker.observe([:]) == nil)
        #expect(tracker.observe([:]) == ["/p/a.so"])
    }

    @Test func dotfilesAndTmpNamesAreIgnored() {
        #expect(FileStabilityTracker.ignored(".libx.so.tmp"))
        #expect(FileStabilityTracker.ignored(".hidden"))
        #expect(FileStabilityTracker.ignored("libx.so.tmp"))
        #expect(!FileStabilityTracker.ignored("libx.so"))
        #expect(!FileStabilityTracker.ignored("plugins.json"))
    }

    @Test func anAtomicMvInstallIsPickedUpWithExactlyOneReload() async throws {
        let dir = TemporaryDirectory()
        let reloads = Mutex<[[String]]>([])
        let watcher = PluginDirectoryWatcher(interval: .milliseconds(30), logger: .test,
                                             targets: { .init(directories: [dir.path], files: []) },
                                             reload: { changed in reloads.withLock { $0.append(changed) } })
        let running = Task { try await watcher.run() }
        defer { running.cancel() }
        try await Task.sleep(for: .milliseconds(100))
        // Written slowly under a temporary name: invisible to the watcher.
        let temporary = dir.file(".libnew.so.tmp")
        _ = FileManager.default.createFile(atPath: temporary, contents: Data(count: 10))
        let handle = try #require(FileHandle(forWritingAtPath: temporary))
        for _ in 0..<5 {
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(count: 4096))
            try await Task.sleep(for: .milliseconds(40))
        }
        try handle.close()
        #expect(reloads.withLock { $0.isEmpty })
        #expect(rename(temporary, dir.file("libnew.so")) == 0)
        #expect(await eventually(30) { reloads.withLock { $0.count } == 1 })
        try await Task.sleep(for: .milliseconds(300))
        #expect(reloads.withLock { $0 } == [[dir.file("libnew.so")]])
    }

    @Test func aFileCopiedInPlaceSlowlyIsReloadedOnlyAfterItSettled() async throws {
        let dir = TemporaryDirectory()
        let sizes = Mutex<[Int]>([])
        let target = dir.file("libslow.so")
        let watcher = PluginDirectoryWatcher(interval: .milliseconds(30), logger: .test,
                                             targets: { .init(directories: [dir.path], files: []) },
                                             reload: { _ in sizes.withLock { $0.append((try? FileManager.default.attributesOfItem(atPath: target)[.size] as? Int) ?? -1) } })
        let running = Task { try await watcher.run() }
        defer { running.cancel() }
        try await Task.sleep(for: .milliseconds(100))
        _ = FileManager.default.createFile(atPath: target, contents: Data(count: 1))
        let handle = try #require(FileHandle(forWritingAtPath: target))
        for _ in 0..<8 {  // grows every 20 ms, faster than two 30 ms polls
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(count: 1000))
            try await Task.sleep(for: .milliseconds(20))
        }
        try handle.close()
        #expect(await eventually(30) { !sizes.withLock { $0 }.isEmpty })
        try await Task.sleep(for: .milliseconds(200))
        #expect(sizes.withLock { $0 } == [8001])
    }

    @Test func anInvalidPluginsJSONEditChangesNothingAndIsReportedByGetPlugins() async throws {
        let pluginDir = TemporaryDirectory()
        let library = pluginDir.file("libscripted.so")
        try FileManager.default.copyItem(atPath: try SwapRig.build("1.0.0"), toPath: library)
        let host = try await TestHost(plugins: #"[{"name": "scripted", "library": "\#(library)"}]"#,
                                      environment: ["PAKA_WATCH_INTERVAL_MS": "30"])
        let watcher = try #require(host.app.makeWatcher())
        let running = Task { try await watcher.run() }
        defer { running.cancel() }
        try await Task.sleep(for: .milliseconds(100))
        let before = host.app.registry.statuses()
        let temporary = host.dir.write(".plugins.json.tmp", #"{"pluginDir": ".", "plugins": [{"name": "scripted", "library": 7}]}"#)
        #expect(rename(temporary, host.pluginsFile) == 0)
        #expect(await eventually(30) { host.app.registry.lastReloadFailure != nil })
        #expect(host.app.registry.statuses() == before)
        let headers = try await host.bearer()
        try await host.test { client in
            let response = try await client.execute(uri: "/plugins", method: .get, headers: headers)
            #expect(response.status == .ok)
            let header = try #require(response.headers[HTTPFields.Element.Name("Paka-Reload-Error")!])
            #expect(header.contains("library"), "\(header)")
            #expect(header.contains("nothing was applied"))
        }
    }

    @Test func settingPAKA_WATCHTo0TurnsTheWatcherOff() async throws {
        let host = try await TestHost(environment: ["PAKA_WATCH": "0"])
        #expect(host.app.makeWatcher() == nil)
    }
}

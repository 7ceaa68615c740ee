import Foundation
@testable import PakaPipeline
@testable import PakaPluginHost
import Testing

/// Many swaps in one process: nothing crashes and memory stays flat.
@Suite(.serialized) struct SwapEnduranceTests {
    private func registry(library: String, record: String) -> (PluginRegistry, PakaConfiguration) {
        let registry = PluginRegistry(services: RecordingHostServices(), logger: .test)
        let configuration = PakaConfiguration(pluginDir: (library as NSString).deletingLastPathComponent, plugins: [
            PluginEntry(name: "scripted", library: library, config: .object(["record": .string(record)]))])
        return (registry, configuration)
    }

    private func replace(_ library: String, with built: String) throws {
        let temporary = library + ".tmp"
        try? FileManager.default.removeItem(atPath: temporary)
        try FileManager.default.copyItem(atPath: built, toPath: temporary)
        #expect(rename(temporary, library) == 0)
    }

    private func handleOne(_ registry: PluginRegistry, _ id: String) -> Bool {
        registry.active(named: "scripted")?.handle([PluginEvent(id: id, topic: "scripted.in", key: [], payload: Array("{}".utf8), attempt: 1)])?.first?.isOK ?? false
    }

    @Test func twoHundredSwapsInARowKeepServingAndResidentMemoryStaysFlat() throws {
        let dir = TemporaryDirectory()
        let builds = [try SwapRig.build("1.0.0"), try SwapRig.build("2.0.0")]
        let library = dir.file("libscripted.so")
        try FileManager.default.copyItem(atPath: builds[0], toPath: library)
        let (registry, configuration) = registry(library: library, record: dir.file("record.txt"))
        #expect(registry.apply(configuration).isEmpty)
        defer { registry.shutdown() }
        // Warm-up: both images resident, every code path touched once.
        for swap in 1...4 {
            try replace(library, with: builds[swap % 2])
            #expect(registry.apply(configuration).isEmpty)
            #expect(handleOne(registry, "warm-\(swap)"))
        }
        let before = residentKilobytes()
        let swaps = 200
        for swap in 1...swaps {
            try replace(library, with: builds[swap % 2])
            #expect(registry.apply(configuration).isEmpty)
            #expect(registry.active(named: "scripted")?.descriptor.version == (swap % 2 == 0 ? "1.0.0" : "2.0.0"))
            #expect(handleOne(registry, "e\(swap)"))
        }
        let growth = Double(residentKilobytes() - before) / Double(swaps)
        print("200 swaps (v1 ↔ v2, images reused): resident memory growth \(String(format: "%.1f", growth)) KB per swap")
        #expect(growth < 1024)
        #expect(PipelineHarness.recorded(dir.file("record.txt")).count == swaps + 4)
        #expect(registry.statuses().first?.history.count == swaps + 5)
    }

    @Test func eachNewVersionsImageStaysResidentAndItsCostIsReported() throws {
        let dir = TemporaryDirectory()
        let builds = try (1...8).map { try SwapRig.build("1.1.\($0)") }
        let library = dir.file("libscripted.so")
        try FileManager.default.copyItem(atPath: try SwapRig.build("1.1.0"), toPath: library)
        let (registry, configuration) = registry(library: library, record: dir.file("record.txt"))
        #expect(registry.apply(configuration).isEmpty)
        defer { registry.shutdown() }
        let before = residentKilobytes()
        for (index, build) in builds.enumerated() {
            try replace(library, with: build)
            #expect(registry.apply(configuration).isEmpty)
            #expect(handleOne(registry, "n\(index)"))
        }
        let perImage = Double(residentKilobytes() - before) / Double(builds.count)
        print("swaps to 8 never-seen versions: resident memory growth \(String(format: "%.1f", perImage)) KB per new image (kept mapped, never dlclosed)")
        #expect(perImage < 1024)
    }
}

import CPakaABI
import Foundation
@testable import PakaPipeline
@testable import PakaPluginHost
import Testing

/// ABI 1.1 is a minor bump: plugins built against 1.0 keep loading and running unchanged, and
/// the host never reads a byte past the descriptor a plugin declared.
@Suite struct ABICompatibilityTests {
    static let oldHeader = "\(TestPaths.fixtures)/abi-1.0"
    let dir = TemporaryDirectory()

    private func build10Echo() throws -> String {
        try PluginCompiler.build("\(Self.oldHeader)/echo.c", include: Self.oldHeader, name: "echo10")
    }

    private func handleOneEvent(_ library: String, services: RecordingHostServices) throws -> [EventOutcome]? {
        let registry = PluginRegistry(services: services, logger: .test)
        defer { registry.shutdown() }
        #expect(registry.apply(PakaConfiguration(pluginDir: dir.path, plugins: [PluginEntry(name: "echo", library: library)])).isEmpty)
        let envelope = CloudEvent(id: "id-1", source: "test", type: "echo.in", subject: "r-1", data: Array("{}".utf8))
        return registry.active(named: "echo")?.handle([PluginEvent(id: envelope.id, topic: "echo.in", key: Array("r-1".utf8), payload: envelope.jsonBytes)])
    }

    @Test func pluginBuiltAgainstThe10HeaderLoadsAndRunsOnThisHost() throws {
        let library = try build10Echo()
        let image = try PluginImage.load(path: library)
        #expect(image.descriptor.abiVersion == "1.0")
        #expect(image.descriptor.summary == "")
        let services = RecordingHostServices()
        #expect(try handleOneEvent(library, services: services) == [.ok])
        #expect(services.published == [.init(plugin: "echo", topic: "echo.out", key: "r-1", data: #"{"echoed":true}"#)])
        #expect(services.logs == ["[echo] 1.0.0 got id-1"])
    }

    @Test func a10PluginStillSeesItsPublishAnsweredMinusOneOnAnyRefusal() throws {
        // 1.0's publish cannot say "for good" or "for now": both are -1, as 1.0 promised.
        for answer in [PluginPublishOutcome.refused("bad topic"), .retryLater("starting")] {
            let outcome = try handleOneEvent(try build10Echo(), services: RecordingHostServices(publishAnswer: answer))
            #expect(outcome == [.retry("host refused to publish")])
        }
    }

    @Test func checkShowsTheMinorAndWarnsAboutA10PluginsPitfalls() async throws {
        let check = try await runOffPool(TestPaths.pakaExecutable, ["plugin", "check", try build10Echo()])
        #expect(check.status == 0, "\(check.output)")
        #expect(check.output.contains("abi:          1.0 (major 1, minor 0; host 1.1)"), "\(check.output)")
        #expect(check.output.contains("warning:      built against ABI 1.0: its publish cannot tell 'retry later' from 'refused for good'"), "\(check.output)")
        let current = try await runOffPool(TestPaths.pakaExecutable, ["plugin", "check", try PluginCompiler.echo(name: "echo11")])
        #expect(current.status == 0 && current.output.contains("minor 1;") && !current.output.contains("warning:"), "\(current.output)")
    }

    // MARK: reading no further than struct_size

    private static let create: @convention(c) (UnsafePointer<paka_host>?, paka_bytes, UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafeMutablePointer<CChar>?, Int) -> Int32 = { _, _, _, _, _ in 1 }
    private static let handle: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<paka_event>?, Int, UnsafeMutablePointer<paka_event_result>?) -> Void = { _, _, _, _ in }
    private static let destroy: @convention(c) (UnsafeMutableRawPointer?) -> Void = { _ in }
    /// A NUL-terminated C string that lives as long as the process (literals are emitted so).
    private static func text(_ literal: StaticString) -> UnsafePointer<CChar> {
        UnsafeRawPointer(literal.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    /// A complete 1.1 descriptor claiming `size` bytes.
    private func descriptor(size: Int, minor: UInt16) -> paka_plugin_descriptor {
        var d = paka_plugin_descriptor()
        d.struct_size = UInt32(size)
        d.abi_major = UInt16(PAKA_ABI_MAJOR)
        d.abi_minor = minor
        d.name = Self.text("guarded")
        d.version = Self.text("1.2.3")
        d.create = Self.create
        d.handle = Self.handle
        d.destroy = Self.destroy
        d.description = Self.text("read only when struct_size covers it")
        return d
    }

    private static let size10 = MemoryLayout<paka_plugin_descriptor>.offset(of: \paka_plugin_descriptor.description)!

    @Test func a10SizedDescriptorIsReadWithoutTouchingTheBytesPastIt() throws {
        let region = try GuardedRegion()
        let placed = region.placeFlush(descriptor(size: Self.size10, minor: 0), count: Self.size10)
        let (read, _) = try DescriptorReader.read(placed, path: "guarded")
        #expect(read.name == "guarded" && read.version == "1.2.3" && read.abiVersion == "1.0")
        #expect(read.summary == "", "the 1.1 field lies past the 1.0 descriptor: it must read as absent")
    }

    @Test func a11DescriptorFlushAgainstTheGuardHasItsNewFieldRead() throws {
        let region = try GuardedRegion()
        let size = MemoryLayout<paka_plugin_descriptor>.size
        let (read, _) = try DescriptorReader.read(region.placeFlush(descriptor(size: size, minor: 1), count: size), path: "guarded")
        #expect(read.summary == "read only when struct_size covers it")
    }

    @Test(arguments: [4, 16, 96])
    func aDescriptorSmallerThan10IsRefusedWithoutReadingPastIt(size: Int) throws {
        let region = try GuardedRegion()
        do throws(PluginLoadError) {
            _ = try DescriptorReader.read(region.placeFlush(descriptor(size: size, minor: 0), count: size), path: "guarded")
            Issue.record("a \(size)-byte descriptor was accepted")
        } catch {
            #expect(error.reason == .descriptorTooSmall)
            #expect(error.message.contains("descriptor is \(size) bytes but ABI 1.x needs at least \(Self.size10)"))
        }
    }

    // MARK: the host's three-way publish

    @Test func hostServicesSayWhetherARefusalIsForNowOrForGood() {
        let services = HostServices(dataDirectory: dir.path, logger: .test)
        let json = Array("{}".utf8)
        guard case .refused(let topic) = services.publishChecked(from: "p", topic: "no spaces allowed", key: "", data: json) else {
            Issue.record("an invalid topic must be refused for good"); return
        }
        #expect(topic.contains("'no spaces allowed' is not a valid Kafka topic name"))
        guard case .refused(let data) = services.publishChecked(from: "p", topic: "ok.topic", key: "", data: Array("{nope".utf8)) else {
            Issue.record("data that is not JSON must be refused for good"); return
        }
        #expect(data.contains("not one JSON value"))
        // No router yet (the host is starting): the same publish can work later.
        guard case .retryLater(let starting) = services.publishChecked(from: "p", topic: "ok.topic", key: "", data: json) else {
            Issue.record("a host that is still starting must answer retry-later"); return
        }
        #expect(starting.contains("still starting"))
        #expect(!services.publish(from: "p", topic: "ok.topic", key: "", data: json))
    }
}

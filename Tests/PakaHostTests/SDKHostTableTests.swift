import CPakaABI
@testable import PakaPluginSDK
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The Swift SDK reads the host table size-aware and turns a publish refusal into the result
/// that cannot loop: FAIL for good, RETRY only when the host says "later".
@Suite struct SDKHostTableTests {
    typealias Publish = @convention(c) (UnsafeMutableRawPointer?, paka_bytes, paka_bytes, paka_bytes) -> Int32
    typealias PublishChecked = @convention(c) (UnsafeMutableRawPointer?, paka_bytes, paka_bytes, paka_bytes, UnsafeMutablePointer<CChar>?, Int) -> Int32

    private static let refusing: Publish = { _, _, _, _ in -1 }
    private static let later: PublishChecked = { _, _, _, _, why, cap in
        _ = "the host is still starting".withCString { strncpy(why!, $0, cap - 1) }
        return PAKA_PUBLISH_RETRY
    }
    private static let never: PublishChecked = { _, _, _, _, why, cap in
        _ = "not a valid Kafka topic name".withCString { strncpy(why!, $0, cap - 1) }
        return PAKA_PUBLISH_REFUSED
    }

    private func table(size: Int, checked: PublishChecked?) -> paka_host {
        var host = paka_host()
        host.struct_size = size
        host.abi_major = 1
        host.abi_minor = size > Self.size10 ? 1 : 0
        host.publish = Self.refusing
        host.publish_checked = checked
        return host
    }

    private static let size10 = MemoryLayout<paka_host>.offset(of: \paka_host.publish_checked)!

    private func publishError(_ host: PluginHost) -> PluginError? {
        do {
            try host.publish(topic: "t", key: "k", json: Array("{}".utf8))
            return nil
        } catch {
            return error as? PluginError
        }
    }

    @Test func a10HostTableIsReadWithoutTouchingBytesPastItAndItsRefusalFails() throws {
        let region = try GuardedRegion()
        // publish_checked is set in the value but lies past the 1.0 table: it must never be read or called.
        let host = PluginHost(table: region.placeFlush(table(size: Self.size10, checked: Self.later), count: Self.size10))
        #expect(host.abiVersion == "1.0")
        guard case .fail(let message) = publishError(host) else { Issue.record("a 1.0 refusal must FAIL the event"); return }
        #expect(message.contains("host refused to publish on 't'"))
    }

    @Test func a11RetryLaterBecomesRetryWithTheHostsReason() throws {
        let region = try GuardedRegion()
        let size = MemoryLayout<paka_host>.size
        let host = PluginHost(table: region.placeFlush(table(size: size, checked: Self.later), count: size))
        guard case .retry(let message) = publishError(host) else { Issue.record("retry-later must RETRY"); return }
        #expect(message.contains("the host is still starting"))
    }

    @Test func a11RefusalForGoodBecomesFailWithTheHostsReason() throws {
        var host = table(size: MemoryLayout<paka_host>.size, checked: Self.never)
        let sdkHost = PluginHost(table: &host)
        guard case .fail(let message) = publishError(sdkHost) else { Issue.record("a refusal for good must FAIL"); return }
        #expect(message.contains("not a valid Kafka topic name"))
    }

    /// A folder that cannot exist: its parent is a character device.
    private static let uncreatable: DataDir = { _ in UnsafePointer(SDKHostTableTests.uncreatablePath) }
    nonisolated(unsafe) private static let uncreatablePath = strdup("/dev/null/plugin-data")
    typealias DataDir = @convention(c) (UnsafeMutableRawPointer?) -> UnsafePointer<CChar>?

    @Test func dataDirectoryThatCannotBeCreatedIsAnErrorNamingIt() {
        var host = table(size: MemoryLayout<paka_host>.size, checked: Self.never)
        host.data_dir = Self.uncreatable
        let sdkHost = PluginHost(table: &host)
        #expect {
            _ = try sdkHost.dataDirectory
        } throws: { error in
            "\(error)".hasPrefix("cannot create the plugin's data directory /dev/null/plugin-data: ")
        }
    }

    @Test func noDataDirectoryFromTheHostIsAnErrorNotTmp() {
        var host = table(size: MemoryLayout<paka_host>.size, checked: Self.never)
        host.data_dir = nil
        let sdkHost = PluginHost(table: &host)
        #expect(throws: DataDirectoryError.self) { _ = try sdkHost.dataDirectory }
    }
}

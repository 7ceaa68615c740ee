import CPakaABI
import Foundation

/// One created instance of a plugin. Not thread-safe by contract: the ABI promises plugins
/// one call at a time per instance, so callers go through `PluginInstancePool`.
final class PluginInstance: @unchecked Sendable {
    // @unchecked: the pool hands an instance to one thread at a time.
    private let vtable: PluginVTable
    private let host: HostTable
    private var handle: UnsafeMutableRawPointer?
    private var spareArena: [UInt8] = []
    private static let keptArenaBytes = 1 << 20
    let pluginName: String

    /// Calls the plugin's `create`; the thrown error carries the plugin's own message.
    init(image: PluginImage, host: HostTable, configJSON: [UInt8]) throws(PluginLoadError) {
        self.vtable = image.vtable
        self.host = host
        self.pluginName = image.descriptor.name
        var instance: UnsafeMutableRawPointer?
        var error = [CChar](repeating: 0, count: 1024)
        let status = configJSON.withUnsafeBufferPointer { config in
            error.withUnsafeMutableBufferPointer { buffer in
                vtable.create(host.table, paka_bytes(ptr: config.baseAddress, len: config.count), &instance, buffer.baseAddress, buffer.count)
            }
        }
        guard status == 0 else {
            let message = error.nulTerminatedString
            throw PluginLoadError(.createFailed, path: image.sourcePath,
                "plugin '\(image.descriptor.name)' \(image.descriptor.version) refused to start: \(message.isEmpty ? "create returned \(status) without a message" : message)")
        }
        self.handle = instance
    }

    func handle(_ events: [PluginEvent]) -> [EventOutcome] {
        guard !events.isEmpty else { return [] }
        // One arena for every borrowed buffer of the batch: one allocation, stable pointers.
        // Kept for the next call (one thread at a time has this instance): a batch's arena is
        // above malloc's mmap threshold, and a fresh one per batch cost page faults and a madvise.
        var arena: [UInt8] = []
        swap(&arena, &spareArena)
        arena.removeAll(keepingCapacity: true)
        defer { if arena.capacity <= Self.keptArenaBytes { swap(&arena, &spareArena) } }
        arena.reserveCapacity(events.reduce(0) { $0 + $1.payload.count + $1.key.count + $1.id.utf8.count + $1.topic.utf8.count })
        var spans: [(id: Range<Int>, topic: Range<Int>, key: Range<Int>, payload: Range<Int>)] = []
        spans.reserveCapacity(events.count)
        func append<C: Collection<UInt8>>(_ bytes: C) -> Range<Int> {
            let start = arena.count
            arena.append(contentsOf: bytes)
            return start..<arena.count
        }
        // Indices rather than `for event in events`: fields are read in place instead of copying
        // each event (four references) — this runs for every consumed event.
        for i in events.indices {
            spans.append((append(events[i].id.utf8), append(events[i].topic.utf8), append(events[i].key), append(events[i].payload)))
        }
        var results = [paka_event_result](repeating: paka_event_result(code: PAKA_RETRY, error: nil), count: events.count)
        arena.withUnsafeBufferPointer { base in
            func bytes(_ r: Range<Int>) -> paka_bytes { paka_bytes(ptr: base.baseAddress.map { $0 + r.lowerBound }, len: r.count) }
            var cEvents: [paka_event] = []
            cEvents.reserveCapacity(events.count)
            for i in events.indices {
                let span = spans[i]
                cEvents.append(paka_event(id: bytes(span.id), topic: bytes(span.topic), key: bytes(span.key), payload: bytes(span.payload),
                                          partition: events[i].partition, offset: events[i].offset, attempt: events[i].attempt))
            }
            results.withUnsafeMutableBufferPointer { out in
                vtable.handle(handle, cEvents, cEvents.count, out.baseAddress)
            }
        }
        // Copy error texts now: they are only valid until our next call on this instance.
        return results.map(outcome)
    }

    /// For a `paka worker`: events already laid out for the ABI (borrowed from the request
    /// frame); the plugin's answers are left in `results` as it gave them (`outcome` reads one).
    func handle(_ events: UnsafeBufferPointer<paka_event>, results: UnsafeMutableBufferPointer<paka_event_result>) {
        guard !events.isEmpty else { return }
        results.initialize(repeating: paka_event_result(code: PAKA_RETRY, error: nil))
        vtable.handle(handle, events.baseAddress, events.count, results.baseAddress)
    }

    /// What one result means; its error text is copied (valid only until the next call).
    func outcome(_ result: paka_event_result) -> EventOutcome { Self.outcome(result, plugin: pluginName) }

    static func outcome(_ result: paka_event_result, plugin: String) -> EventOutcome {
        let message = result.error.map { String(cString: $0) } ?? ""
        switch result.code {
        case PAKA_OK: return .ok
        case PAKA_FAIL: return .fail(message.isEmpty ? "plugin '\(plugin)' failed the event without a message" : message)
        case PAKA_RETRY: return .retry(message.isEmpty ? "plugin '\(plugin)' asked for a retry" : message)
        default: return .fail("plugin '\(plugin)' returned unknown result code \(result.code)")
        }
    }

    func flush() -> EventOutcome {
        guard let flush = vtable.flush else { return .ok }
        switch flush(handle) {
        case PAKA_OK: return .ok
        case PAKA_RETRY: return .retry("flush asked to be retried")
        case PAKA_FAIL: return .fail("flush failed")
        case let code: return .fail("flush returned unknown result code \(code)")
        }
    }

    /// nil when the plugin has no health hook.
    func health() -> (healthy: Bool, message: String)? {
        guard let health = vtable.health else { return nil }
        var buffer = [CChar](repeating: 0, count: 512)
        let status = buffer.withUnsafeMutableBufferPointer { health(handle, $0.baseAddress, $0.count) }
        return (status == 0, buffer.nulTerminatedString)
    }

    /// nil when the plugin has no http hook.
    func serveHTTP(_ request: PluginHTTPRequest) -> PluginHTTPResponse? {
        guard let http = vtable.http else { return nil }
        var response = paka_http_response(status: 500, content_type: paka_bytes(ptr: nil, len: 0), body: paka_bytes(ptr: nil, len: 0))
        let fields = [Array(request.method.utf8), Array(request.path.utf8), Array(request.query.utf8), request.body, Array(request.contentType.utf8)]
        fields[0].withUnsafeBufferPointer { m in
            fields[1].withUnsafeBufferPointer { p in
                fields[2].withUnsafeBufferPointer { q in
                    fields[3].withUnsafeBufferPointer { b in
                        fields[4].withUnsafeBufferPointer { c in
                            func bytes(_ x: UnsafeBufferPointer<UInt8>) -> paka_bytes { paka_bytes(ptr: x.baseAddress, len: x.count) }
                            var cRequest = paka_http_request(method: bytes(m), path: bytes(p), query: bytes(q), body: bytes(b), content_type: bytes(c))
                            http(handle, &cRequest, &response)
                        }
                    }
                }
            }
        }
        return PluginHTTPResponse(status: Int(response.status), contentType: response.content_type.string, body: response.body.array)
    }

    func destroy() {
        guard let instance = handle else { return }
        handle = nil
        vtable.destroy(instance)
    }

    deinit { destroy() }
}

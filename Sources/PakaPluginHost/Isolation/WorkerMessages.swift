import CPakaABI

/// The requests and replies of the worker channel, as frames.
enum WorkerMessages {
    /// What the worker needs to load and create the plugin.
    struct Start: Equatable {
        var libraryPath: String
        var expectedSHA256: String?
        var allowInsecurePermissions: Bool
        var expectedName: String
        var dataDirectory: String
        var configJSON: [UInt8]
        /// RLIMIT_AS for the worker, MiB; 0 = none.
        var memoryLimitMb: Int = 0
    }

    static func encode(_ start: Start) -> WireWriter {
        var w = WireWriter(kind: .start)
        w.string(start.libraryPath)
        w.string(start.expectedSHA256 ?? "")
        w.bool(start.allowInsecurePermissions)
        w.string(start.expectedName)
        w.string(start.dataDirectory)
        w.data(start.configJSON)
        w.u64(UInt64(max(start.memoryLimitMb, 0)))
        return w
    }

    static func decodeStart(_ body: [UInt8]) throws(WireReader.Malformed) -> Start {
        var r = WireReader(body)
        let path = try r.string(), pin = try r.string(), insecure = try r.bool()
        let name = try r.string(), dataDirectory = try r.string(), config = try r.data()
        return Start(libraryPath: path, expectedSHA256: pin.isEmpty ? nil : pin, allowInsecurePermissions: insecure,
                     expectedName: name, dataDirectory: dataDirectory, configJSON: config, memoryLimitMb: Int(min(try r.u64(), 1 << 40)))
    }

    /// The worker's answer to `start`: the checked descriptor, or why it refused.
    enum Started {
        case ready(PluginDescriptor, sha256: String)
        case refused(PluginLoadError)
    }

    static func encode(_ started: Started) -> WireWriter {
        var w = WireWriter(kind: .started)
        switch started {
        case .ready(let d, let sha256):
            w.bool(true)
            w.string(sha256)
            w.string(d.name)
            w.string(d.version)
            w.u32(UInt32(truncatingIfNeeded: d.abiMajor))
            w.u32(UInt32(truncatingIfNeeded: d.abiMinor))
            w.u32(UInt32(truncatingIfNeeded: d.topics.count))
            for topic in d.topics { w.string(topic) }
            w.string(d.defaultGroup)
            w.u64(d.capabilities.rawValue)
            w.u64(d.ignoredCapabilityBits)
            w.string(d.summary)
        case .refused(let error):
            w.bool(false)
            w.string(error.reason.rawValue)
            w.string(error.path)
            w.string(error.message)
        }
        return w
    }

    static func decodeStarted(_ body: [UInt8]) throws(WireReader.Malformed) -> Started {
        var r = WireReader(body)
        guard try r.bool() else {
            let reason = PluginLoadError.Reason(rawValue: try r.string()) ?? .createFailed
            return .refused(PluginLoadError(reason, path: try r.string(), try r.string()))
        }
        let sha256 = try r.string(), name = try r.string(), version = try r.string()
        let major = Int(try r.u32()), minor = Int(try r.u32())
        let topicCount = try r.u32()
        guard topicCount <= 10_000 else { throw WireReader.Malformed() }
        var topics: [String] = []
        for _ in 0..<topicCount { topics.append(try r.string()) }
        let group = try r.string()
        let capabilities = PluginDescriptor.Capabilities(rawValue: try r.u64()), ignored = try r.u64()
        let descriptor = PluginDescriptor(name: name, version: version, abiMajor: major, abiMinor: minor, topics: topics, defaultGroup: group,
                                          capabilities: capabilities, ignoredCapabilityBits: ignored, summary: try r.string())
        return .ready(descriptor, sha256: sha256)
    }

    /// The per-event fields of a handle frame: id, topic, key and payload (each a 4-byte length
    /// and the bytes), partition, offset, attempt.
    static let eventFixedBytes = 4 * 4 + 4 + 8 + 4

    /// One allocation for the whole frame, sized exactly; every field copied in one go.
    static func encode(_ events: ArraySlice<PluginEvent>) -> WireWriter {
        var size = 4
        for i in events.indices {
            size += eventFixedBytes + events[i].id.utf8.count + events[i].topic.utf8.count + events[i].key.count + events[i].payload.count
        }
        var w = WireWriter(kind: .handle, capacity: size)
        w.u32(UInt32(truncatingIfNeeded: events.count))
        for i in events.indices {
            w.string(events[i].id)
            w.string(events[i].topic)
            w.data(events[i].key)
            w.data(events[i].payload)
            w.i32(events[i].partition)
            w.i64(events[i].offset)
            w.u32(events[i].attempt)
        }
        return w
    }

    /// The worker's path: the events of a handle frame laid out as the ABI's structs, borrowing
    /// their bytes from `body` (nothing copied, no strings made), for the length of `body`'s
    /// call. nil when the frame is malformed.
    static func withABIEvents<R>(in body: [UInt8], _ handle: (UnsafeBufferPointer<paka_event>) -> R) -> R? {
        body.withUnsafeBytes { raw -> R? in
            var at = 0
            func u32() -> UInt32? {
                guard raw.count - at >= 4 else { return nil }
                defer { at += 4 }
                return UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt32.self))
            }
            func u64() -> UInt64? {
                guard raw.count - at >= 8 else { return nil }
                defer { at += 8 }
                return UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at, as: UInt64.self))
            }
            func bytes() -> paka_bytes? {
                guard let count = u32().map(Int.init), count <= raw.count - at else { return nil }
                defer { at += count }
                return paka_bytes(ptr: raw.baseAddress.map { $0.assumingMemoryBound(to: UInt8.self) + at }, len: count)
            }
            guard let count = u32().map(Int.init), count <= raw.count / eventFixedBytes else { return nil }
            var events: [paka_event] = []
            events.reserveCapacity(count)
            for _ in 0..<count {
                guard let id = bytes(), let topic = bytes(), let key = bytes(), let payload = bytes(),
                      let partition = u32(), let offset = u64(), let attempt = u32() else { return nil }
                events.append(paka_event(id: id, topic: topic, key: key, payload: payload, partition: Int32(bitPattern: partition),
                                         offset: Int64(bitPattern: offset), attempt: attempt))
            }
            return events.withUnsafeBufferPointer(handle)
        }
    }

    /// The worker's path: OK answers (the common case) go out as they are; only the others
    /// become texts (`describe`: the same words as an in-process instance's outcome).
    static func encode(_ results: UnsafeBufferPointer<paka_event_result>, describe: (paka_event_result) -> EventOutcome) -> WireWriter {
        var w = WireWriter(kind: .handled, capacity: 4 + results.count * 5)
        w.u32(UInt32(truncatingIfNeeded: results.count))
        for result in results {
            if result.code == PAKA_OK {
                w.u8(0)
                w.u32(0)
            } else {
                append(describe(result), to: &w)
            }
        }
        return w
    }

    private static func append(_ outcome: EventOutcome, to w: inout WireWriter) {
        switch outcome {
        case .ok: w.u8(0); w.u32(0)
        case .retry(let m): w.u8(1); w.string(m)
        case .fail(let m): w.u8(2); w.string(m)
        }
    }

    static func decodeOutcomes(_ body: [UInt8], expected: Int) throws(WireReader.Malformed) -> [EventOutcome] {
        var r = WireReader(body)
        guard Int(try r.u32()) == expected else { throw WireReader.Malformed() }
        var outcomes: [EventOutcome] = []
        outcomes.reserveCapacity(expected)
        for _ in 0..<expected {
            let code = try r.u8(), message = try r.string()
            switch code {
            case 0: outcomes.append(.ok)
            case 1: outcomes.append(.retry(message))
            default: outcomes.append(.fail(message))
            }
        }
        return outcomes
    }

    static func encodeFlushed(_ outcome: EventOutcome) -> WireWriter {
        var w = WireWriter(kind: .flushed)
        switch outcome {
        case .ok: w.u8(0)
        case .retry: w.u8(1)
        case .fail: w.u8(2)
        }
        return w
    }

    static func decodeFlushed(_ body: [UInt8]) throws(WireReader.Malformed) -> EventOutcome {
        var r = WireReader(body)
        switch try r.u8() {
        case 0: return .ok
        case 1: return .retry("flush asked to be retried")
        default: return .fail("flush failed")
        }
    }

    static func encode(health: (healthy: Bool, message: String)?) -> WireWriter {
        var w = WireWriter(kind: .healthReport)
        w.bool(health != nil)
        w.bool(health?.healthy ?? true)
        w.string(health?.message ?? "")
        return w
    }

    static func decodeHealth(_ body: [UInt8]) throws(WireReader.Malformed) -> (healthy: Bool, message: String)? {
        var r = WireReader(body)
        let has = try r.bool(), healthy = try r.bool(), message = try r.string()
        return has ? (healthy, message) : nil
    }

    static func encode(_ request: PluginHTTPRequest) -> WireWriter {
        var w = WireWriter(kind: .http, capacity: request.body.count + 64)
        w.string(request.method)
        w.string(request.path)
        w.string(request.query)
        w.string(request.contentType)
        w.data(request.body)
        return w
    }

    static func decodeHTTPRequest(_ body: [UInt8]) throws(WireReader.Malformed) -> PluginHTTPRequest {
        var r = WireReader(body)
        let method = try r.string(), path = try r.string(), query = try r.string(), contentType = try r.string()
        return PluginHTTPRequest(method: method, path: path, query: query, contentType: contentType, body: try r.data())
    }

    static func encode(_ response: PluginHTTPResponse?) -> WireWriter {
        var w = WireWriter(kind: .httpResponse, capacity: (response?.body.count ?? 0) + 32)
        w.bool(response != nil)
        w.i32(Int32(truncatingIfNeeded: response?.status ?? 0))
        w.string(response?.contentType ?? "")
        w.data(response?.body ?? [])
        return w
    }

    static func decodeHTTPResponse(_ body: [UInt8]) throws(WireReader.Malformed) -> PluginHTTPResponse? {
        var r = WireReader(body)
        let has = try r.bool(), status = try r.i32(), contentType = try r.string(), data = try r.data()
        return has ? PluginHTTPResponse(status: Int(status), contentType: contentType, body: data) : nil
    }

    static func encodeLog(level: UInt8, message: String) -> WireWriter {
        var w = WireWriter(kind: .log, capacity: message.utf8.count + 8)
        w.u8(level)
        w.string(message)
        return w
    }

    static func encodePublish(topic: String, key: String, data: [UInt8]) -> WireWriter {
        var w = WireWriter(kind: .publish, capacity: data.count + 64)
        w.string(topic)
        w.string(key)
        w.data(data)
        return w
    }
}

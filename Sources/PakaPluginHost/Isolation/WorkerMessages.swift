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

    static func encode(_ events: [PluginEvent]) -> WireWriter {
        var w = WireWriter(kind: .handle, capacity: events.reduce(0) { $0 + $1.payload.count + $1.key.count + $1.id.utf8.count + $1.topic.utf8.count + 36 })
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

    static func decodeEvents(_ body: [UInt8]) throws(WireReader.Malformed) -> [PluginEvent] {
        var r = WireReader(body)
        let count = Int(try r.u32())
        guard count <= body.count else { throw WireReader.Malformed() }  // each event takes bytes
        var events: [PluginEvent] = []
        events.reserveCapacity(count)
        for _ in 0..<count {
            let id = try r.string(), topic = try r.string(), key = try r.data(), payload = try r.data()
            events.append(PluginEvent(id: id, topic: topic, key: key, payload: payload, partition: try r.i32(), offset: try r.i64(), attempt: try r.u32()))
        }
        return events
    }

    static func encode(_ outcomes: [EventOutcome]) -> WireWriter {
        var w = WireWriter(kind: .handled)
        w.u32(UInt32(truncatingIfNeeded: outcomes.count))
        for outcome in outcomes {
            switch outcome {
            case .ok: w.u8(0); w.string("")
            case .retry(let m): w.u8(1); w.string(m)
            case .fail(let m): w.u8(2); w.string(m)
            }
        }
        return w
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

import CPakaABI

// The C hooks of every Swift plugin. They capture nothing (C function pointers cannot), so
// they find the plugin type through PluginExport and the instance through the opaque pointer.

extension paka_bytes {
    var bytes: [UInt8] {
        guard let ptr, len > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: ptr, count: len))
    }
    var text: String { String(decoding: bytes, as: UTF8.self) }
}

private func writeError(_ message: String, to buffer: UnsafeMutablePointer<CChar>?, capacity: Int) {
    guard let buffer, capacity > 0 else { return }
    let utf8 = Array(message.utf8.prefix(capacity - 1))
    for (i, byte) in utf8.enumerated() { buffer[i] = CChar(bitPattern: byte) }
    buffer[utf8.count] = 0
}

let sdkCreate: @convention(c) (UnsafePointer<paka_host>?, paka_bytes, UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafeMutablePointer<CChar>?, Int) -> Int32 = {
    host, config, instance, errorBuffer, capacity in
    guard let host, let instance, let type = PluginExport.exportedType else {
        writeError("plugin was not exported through PluginExport.entry(for:)", to: errorBuffer, capacity: capacity)
        return 1
    }
    do {
        let plugin = try type.init(host: PluginHost(table: host), config: PluginConfig(json: config.bytes))
        instance.pointee = Unmanaged.passRetained(InstanceBox(plugin: plugin)).toOpaque()
        return 0
    } catch {
        writeError("\(error)", to: errorBuffer, capacity: capacity)
        return 1
    }
}

let sdkHandle: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<paka_event>?, Int, UnsafeMutablePointer<paka_event_result>?) -> Void = {
    instance, events, count, results in
    guard let events, let results, count > 0 else { return }
    let box = InstanceBox.from(instance)
    box.releaseLast()
    let batch = (0..<count).map { i in
        let e = events[i]
        return Event(id: e.id.text, topic: e.topic.text, key: e.key.text, envelope: e.payload.bytes,
                     partition: e.partition, offset: e.offset, attempt: e.attempt)
    }
    var outcomes = box.plugin.handle(batch: batch)
    if outcomes.count != count {
        outcomes = Array(repeating: .fail("plugin returned \(outcomes.count) results for \(count) events"), count: count)
    }
    for (i, outcome) in outcomes.enumerated() {
        switch outcome {
        case .ok: results[i] = paka_event_result(code: PAKA_OK, error: nil)
        case .retry(let m): results[i] = paka_event_result(code: PAKA_RETRY, error: box.keep(m))
        case .fail(let m): results[i] = paka_event_result(code: PAKA_FAIL, error: box.keep(m))
        }
    }
}

let sdkDestroy: @convention(c) (UnsafeMutableRawPointer?) -> Void = { instance in
    guard let instance else { return }
    Unmanaged<InstanceBox>.fromOpaque(instance).release()
}

let sdkFlush: @convention(c) (UnsafeMutableRawPointer?) -> paka_result = { instance in
    let box = InstanceBox.from(instance)
    box.releaseLast()
    do {
        try (box.plugin as? any PakaFlushing)?.flush()
        return PAKA_OK
    } catch PluginError.retry {
        return PAKA_RETRY
    } catch {
        return PAKA_FAIL
    }
}

let sdkHealth: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<CChar>?, Int) -> Int32 = { instance, message, capacity in
    let box = InstanceBox.from(instance)
    box.releaseLast()
    guard let problem = (box.plugin as? any PakaHealthReporting)?.healthProblem() else { return 0 }
    writeError(problem, to: message, capacity: capacity)
    return 1
}

let sdkHTTP: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<paka_http_request>?, UnsafeMutablePointer<paka_http_response>?) -> Void = {
    instance, request, response in
    guard let request, let response else { return }
    let box = InstanceBox.from(instance)
    box.releaseLast()
    let r = request.pointee
    let swiftRequest = HTTPRequest(method: r.method.text, path: r.path.text, query: r.query.text,
                                   contentType: r.content_type.text, body: r.body.bytes)
    let answer = (box.plugin as? any PakaHTTPServing)?.serve(swiftRequest)
        ?? HTTPResponse.json(#"{"ok":false,"error":"not found"}"#, status: 404)
    response.pointee.status = Int32(answer.status)
    response.pointee.content_type = box.keep(bytes: Array(answer.contentType.utf8))
    response.pointee.body = box.keep(bytes: answer.body)
}

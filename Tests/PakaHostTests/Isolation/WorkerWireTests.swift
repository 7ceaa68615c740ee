import CPakaABI
import Foundation
@testable import PakaPipeline
@testable import PakaPluginHost
import Testing

/// The handle frame between host and worker: the worker hands the plugin structs that borrow
/// straight from the received frame, and sends back OK answers without making any text. These
/// prove that shortcut hands over exactly what was sent, and refuses a broken frame.
struct WorkerWireTests {
    static func events() -> [PluginEvent] {
        [
            PluginEvent(id: "6f1c2a3e-0000-4000-8000-000000000001", topic: "audit.log", key: Array("user-1".utf8),
                        payload: Array(#"{"data":{"a":1}}"#.utf8), partition: 3, offset: 42, attempt: 1),
            PluginEvent(id: "ünïcødé \"quoted\" \\ back", topic: "t", key: [], payload: Array(repeating: 0x7B, count: 70_000),
                        partition: -1, offset: -1, attempt: 9),
            PluginEvent(id: "x", topic: "document.uploaded", key: [0, 255, 10], payload: Array("{}".utf8),
                        partition: Int32.max, offset: Int64.max, attempt: UInt32.max),
            PluginEvent(id: String(repeating: "i", count: 300), topic: "report.requested", key: Array("k".utf8), payload: Array("[]".utf8),
                        partition: 0, offset: 0, attempt: 2),
        ]
    }

    /// Through a real socket pair, as host and worker talk.
    static func throughChannel(_ writer: WireWriter) throws -> (kind: WorkerFrameKind, body: [UInt8]) {
        var fds: [Int32] = [-1, -1]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        let host = FrameChannel(fd: fds[0]), worker = FrameChannel(fd: fds[1])
        defer { host.close(); worker.close() }
        let sender = Thread { host.send(writer) }  // larger than the socket buffer: send while reading
        sender.start()
        return try #require(worker.receive())
    }

    static func bytes(_ b: paka_bytes) -> [UInt8] { b.len == 0 ? [] : Array(UnsafeBufferPointer(start: b.ptr, count: b.len)) }

    @Test(arguments: [0..<4, 1..<3, 2..<3, 0..<0])
    func eventsReachThePluginExactlyAsSent(range: Range<Int>) throws {
        let events = Self.events()
        let frame = try Self.throughChannel(WorkerMessages.encode(events[range]))
        #expect(frame.kind == .handle)
        let received = WorkerMessages.withABIEvents(in: frame.body) { abi in
            abi.map { e in
                PluginEvent(id: String(decoding: Self.bytes(e.id), as: UTF8.self), topic: String(decoding: Self.bytes(e.topic), as: UTF8.self),
                            key: Self.bytes(e.key), payload: Self.bytes(e.payload), partition: e.partition, offset: e.offset, attempt: e.attempt)
            }
        }
        #expect(received == Array(events[range]))
    }

    /// Cut at every length near either end and at every seventh byte between (every length of the
    /// body would repeat the same checks thousands of times over).
    @Test func aHandleFrameCutShortIsRefused() {
        var writer = WorkerMessages.encode(Self.events()[0..<4])
        writer.sealLength()
        let body = Array(writer.bytes.dropFirst(5))
        #expect(WorkerMessages.withABIEvents(in: body) { $0.count } == 4)
        for length in 0..<body.count where length % 7 == 0 || length < 64 || body.count - length < 64 {
            #expect(WorkerMessages.withABIEvents(in: Array(body.prefix(length))) { $0.count } == nil, "cut at \(length) of \(body.count)")
        }
        // A count promising more events than the frame can hold.
        var lying = body
        lying.replaceSubrange(0..<4, with: [0xFF, 0xFF, 0xFF, 0x7F])
        #expect(WorkerMessages.withABIEvents(in: lying) { $0.count } == nil)
    }

    @Test func answersArriveAsTheInProcessInstanceWouldGiveThem() throws {
        guard let malformed = strdup("the event is malformed"), let later = strdup("try later") else { Issue.record("strdup failed"); return }
        defer { free(malformed); free(later) }
        let results = [
            paka_event_result(code: PAKA_OK, error: nil),
            paka_event_result(code: PAKA_OK, error: UnsafePointer(later)),  // an OK's text is ignored
            paka_event_result(code: PAKA_FAIL, error: UnsafePointer(malformed)),
            paka_event_result(code: PAKA_FAIL, error: nil),
            paka_event_result(code: PAKA_RETRY, error: UnsafePointer(later)),
            paka_event_result(code: PAKA_RETRY, error: nil),
            paka_event_result(code: 7, error: nil),
        ]
        let expected = results.map { PluginInstance.outcome($0, plugin: "wired") }
        #expect(expected[0] == EventOutcome.ok && expected[1] == EventOutcome.ok)
        let frame = try results.withUnsafeBufferPointer { buffer in
            try Self.throughChannel(WorkerMessages.encode(buffer) { PluginInstance.outcome($0, plugin: "wired") })
        }
        #expect(frame.kind == WorkerFrameKind.handled)
        #expect(try WorkerMessages.decodeOutcomes(frame.body, expected: results.count) == expected)
        #expect(throws: WireReader.Malformed.self) { try WorkerMessages.decodeOutcomes(Array(frame.body.dropLast()), expected: results.count) }
    }
}

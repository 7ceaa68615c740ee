import Foundation

/// A plugin instance living in a `paka worker` child: the host side of process isolation.
///
/// It answers like an in-process instance, and contains crashes on the way: a worker that dies
/// or hangs is started again (with backoff), the unfinished events are handed over again —
/// after a crash one at a time, so the event that crashes the plugin is found — and that event,
/// once it crashed the plugin `crash.maxAttempts` times, the last time alone, is answered FAIL
/// with a crash verdict (dead-lettered by the consumer). Everything else is handled as usual.
final class ProcessPluginInstance: PluginCalls, @unchecked Sendable {
    // @unchecked: `worker` is only touched by the thread the pool lent this instance to.
    private let start: WorkerMessages.Start
    private let services: any PluginHostServices
    private let timeoutMs: Int
    private let tracker: CrashTracker
    private var worker: WorkerProcess?
    let descriptor: PluginDescriptor
    let sha256: String

    /// Starts the worker and creates the plugin in it; a refusal or a crash in `create` is a
    /// `PluginLoadError` like an in-process refusal (the running version, if any, stays).
    init(start: WorkerMessages.Start, services: any PluginHostServices, timeoutMs: Int, tracker: CrashTracker) throws(PluginLoadError) {
        self.start = start
        self.services = services
        self.timeoutMs = timeoutMs
        self.tracker = tracker
        switch Self.launch(start, services: services, timeoutMs: timeoutMs) {
        case .success(let (worker, descriptor, sha256)):
            self.worker = worker
            self.descriptor = descriptor
            self.sha256 = sha256
        case .failure(.refused(let error)):
            throw error
        case .failure(.ended(let exit)):
            tracker.recordCrash(exit, during: "create")
            throw PluginLoadError(.createFailed, path: start.libraryPath,
                "plugin '\(start.expectedName)' crashed while starting in its worker process (\(exit)); the running version, if any, stays")
        }
    }

    private enum LaunchFailure: Error {
        case refused(PluginLoadError)
        case ended(WorkerExit)
    }

    private static func launch(_ start: WorkerMessages.Start, services: any PluginHostServices, timeoutMs: Int)
        -> Result<(WorkerProcess, PluginDescriptor, String), LaunchFailure> {
        let worker: WorkerProcess
        do throws(WorkerStartFailure) {
            worker = try WorkerProcess(pluginName: start.expectedName, services: services)
        } catch {
            return .failure(.ended(WorkerExit(.spawnFailed(error.message))))
        }
        switch worker.call(WorkerMessages.encode(start), expecting: .started, timeoutMs: max(timeoutMs, 30_000)) {
        case .failure(let exit):
            return .failure(.ended(exit))
        case .success(let body):
            // `Malformed` carries no detail: every `try?` on a worker answer in this file turns it
            // into the outcome that says what it means (a protocol error, a FAIL, a 502).
            switch try? WorkerMessages.decodeStarted(body) {
            case .ready(let descriptor, let sha256)?:
                return .success((worker, descriptor, sha256))
            case .refused(let error)?:
                worker.stop(timeoutMs: 1000)
                return .failure(.refused(error))
            case nil:
                worker.stop(timeoutMs: 1000)
                return .failure(.ended(WorkerExit(.protocolError)))
            }
        }
    }

    /// A live worker, starting one after a crash (backoff grows with the crashes in a row);
    /// otherwise why there is none (state `crashed`, or this start crashed too).
    private func liveWorker() -> Result<WorkerProcess, WorkerExit> {
        if let worker, !worker.hasEnded { return .success(worker) }
        worker = nil
        if tracker.isCrashed { return .failure(WorkerExit(.startRefused("plugin is in state crashed; restart it"))) }
        let crashes = tracker.consecutiveCrashes
        if crashes > 1 { Thread.sleep(forTimeInterval: Double(min(25 << min(crashes - 2, 6), 1000)) / 1000) }
        switch Self.launch(start, services: services, timeoutMs: timeoutMs) {
        case .success(let (fresh, _, _)):
            tracker.recordRestart()
            worker = fresh
            return .success(fresh)
        case .failure(.refused(let error)):
            let exit = WorkerExit(.startRefused(error.message))
            tracker.recordCrash(exit, during: "create")
            services.log(from: start.expectedName, level: .error, message: "worker could not start again: \(error.message)")
            return .failure(exit)
        case .failure(.ended(let exit)):
            tracker.recordCrash(exit, during: "create")
            services.log(from: start.expectedName, level: .error, message: "worker crashed while starting again (\(exit))")
            return .failure(exit)
        }
    }

    private enum CallResult {
        case answered([UInt8])
        /// The worker died or hung during this very call.
        case crashed(WorkerExit)
        /// No worker could be started (state `crashed`, or the start failed): nothing was sent.
        case notStarted(WorkerExit)
    }

    /// One request to a live worker; a crash is recorded as happening `during` that hook (and
    /// with `eventId` when the request carried that one event alone).
    private func call(_ request: WireWriter, expecting: WorkerFrameKind, during: String, eventId: String? = nil) -> CallResult {
        let worker: WorkerProcess
        switch liveWorker() {
        case .success(let live): worker = live
        case .failure(let exit): return .notStarted(exit)  // a failed start is recorded already
        }
        switch worker.call(request, expecting: expecting, timeoutMs: timeoutMs) {
        case .success(let body):
            tracker.recordProgress()
            return .answered(body)
        case .failure(let exit):
            self.worker = nil
            let storm = tracker.recordCrash(exit, during: during, eventId: eventId)
            services.log(from: start.expectedName, level: .error, message: storm
                ? "worker crashed in \(during) (\(exit)) \(tracker.consecutiveCrashes) times in a row: plugin is now in state crashed; its consumer pauses until POST /plugins/\(start.expectedName)/restart, a swap or an enable"
                : "worker crashed in \(during) (\(exit), pid \(worker.pid)); a new worker takes over")
            return .crashed(exit)
        }
    }

    func handle(_ events: [PluginEvent]) -> [EventOutcome] {
        var outcomes = [EventOutcome?](repeating: nil, count: events.count)
        var crashes = [Int](repeating: 0, count: events.count)
        var pending = events.indices  // always a run from the front: answered events leave at its start
        var oneByOne = false
        while let first = pending.first {
            if tracker.isCrashed { break }
            let chunk = oneByOne ? pending.prefix(1) : pending
            let request = WorkerMessages.encode(events[chunk])
            let alone = chunk.count == 1 ? events[first].id : nil
            switch call(request, expecting: .handled, during: "handle", eventId: alone) {
            case .notStarted:
                continue  // nothing was handed over; the run of failed starts ends in state crashed
            case .answered(let body):
                guard let answers = try? WorkerMessages.decodeOutcomes(body, expected: chunk.count) else {
                    worker?.stop(timeoutMs: 100)
                    worker = nil
                    tracker.recordCrash(WorkerExit(.protocolError), during: "handle", eventId: alone)
                    continue
                }
                for (index, answer) in zip(chunk, answers) { outcomes[index] = answer }
                pending.removeFirst(chunk.count)
            case .crashed(let exit):
                for index in chunk { crashes[index] += 1 }
                guard chunk.count == 1, crashes[first] >= tracker.policy.maxAttempts, !tracker.isCrashed else {
                    oneByOne = true
                    continue
                }
                let report = CrashReport(plugin: start.expectedName, exit: exit, attempts: crashes[first])
                tracker.noteVerdict(report, for: events[first])
                services.log(from: start.expectedName, level: .error, message:
                    "event \(events[first].id) (\(events[first].topic)/\(events[first].partition)/\(events[first].offset)) crashed the plugin \(crashes[first]) times: it goes to the dead-letter topic")
                outcomes[first] = .fail(report.message)
                pending.removeFirst()
                oneByOne = false  // found it: the rest may go as one batch again
            }
        }
        // State `crashed`: the consumer sees it and pauses; these answers only keep the shape.
        let paused = "plugin '\(start.expectedName)' is in state crashed (\(tracker.lastCrash?.reason ?? "crash")); its events wait for a restart"
        return outcomes.map { $0 ?? .retry(paused) }
    }

    func flush() -> EventOutcome {
        guard let worker, !worker.hasEnded else { return .ok }  // nothing buffered in a fresh or dead worker
        switch call(WireWriter(kind: .flush), expecting: .flushed, during: "flush") {
        case .answered(let body): return (try? WorkerMessages.decodeFlushed(body)) ?? .fail("flush answer unreadable")
        case .crashed(let exit): return .fail("plugin crashed in flush: \(exit)")
        case .notStarted(let exit): return .fail("plugin could not be started for flush: \(exit)")
        }
    }

    func health() -> (healthy: Bool, message: String)? {
        guard descriptor.capabilities.contains(.health) || tracker.isCrashed else { return nil }
        if tracker.isCrashed { return (false, "crashed: \(tracker.lastCrash?.reason ?? "unknown"); POST /plugins/\(start.expectedName)/restart") }
        switch call(WireWriter(kind: .health), expecting: .healthReport, during: "health") {
        case .answered(let body): return (try? WorkerMessages.decodeHealth(body)) ?? (false, "health answer unreadable")
        case .crashed(let exit): return (false, "plugin crashed in health: \(exit)")
        case .notStarted(let exit): return (false, "plugin could not be started: \(exit)")
        }
    }

    func serveHTTP(_ request: PluginHTTPRequest) -> PluginHTTPResponse? {
        guard descriptor.capabilities.contains(.http) else { return nil }
        switch call(WorkerMessages.encode(request), expecting: .httpResponse, during: "http") {
        case .answered(let body):
            return (try? WorkerMessages.decodeHTTPResponse(body)) ?? Self.badGateway("plugin '\(start.expectedName)' sent an unreadable answer")
        case .crashed(let exit):
            return Self.badGateway("plugin '\(start.expectedName)' crashed while serving this request: \(exit)")
        case .notStarted(let exit):
            return Self.badGateway("plugin '\(start.expectedName)' could not be started: \(exit)")
        }
    }

    private static func badGateway(_ message: String) -> PluginHTTPResponse {
        let body = JSONValue.object(["ok": .bool(false), "error": .string(message)]).jsonBytes
        return PluginHTTPResponse(status: 502, contentType: "application/json", body: body)
    }

    /// `destroy` in the worker, then the worker exits: its image is really unloaded.
    func destroy() {
        guard let worker else { return }
        self.worker = nil
        worker.stop(timeoutMs: min(timeoutMs, 10_000))
    }

    deinit { destroy() }
}

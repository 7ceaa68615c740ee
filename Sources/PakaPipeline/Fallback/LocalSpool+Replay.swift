import Logging
import PakaPluginHost

extension LocalSpool {
    /// What one pass over the deferred files did.
    public struct DeferredReplayPass: Sendable, Equatable {
        /// Events Kafka acknowledged (and removed from the spool).
        public var sent = 0
        /// Lines that are not CloudEvents; they stay in the file for an operator to look at.
        public var unreadable = 0
        /// Why the pass stopped early (the first publish that failed, or a file error); nil when it finished.
        public var stoppedBecause: String?
    }

    /// Publishes every deferred event in file order, awaiting each acknowledgement without holding
    /// the spool's lock (synchronous processing keeps spooling meanwhile). Stops at the first
    /// event Kafka does not take: it and everything after it stay spooled for the next pass.
    public func replayDeferred(pool: BlockingPool = .shared, _ publish: (CloudEvent) async throws -> Void) async -> DeferredReplayPass {
        var report = DeferredReplayPass()
        guard beginReplay() else {
            report.stoppedBecause = "another replay is running"
            return report
        }
        defer { endReplay() }
        for path in await pool.run({ self.deferredFiles() }) {
            let snapshot: [UInt8]
            do {
                snapshot = try await pool.run { () throws(SpoolWriteError) in try self.readDeferred(path) }
            } catch {
                return stop(&report, because: error.description, file: path)
            }
            var kept: [UInt8] = []
            var failure: String?
            for line in snapshot.split(separator: UInt8(ascii: "\n")) {
                if failure != nil {
                    kept += line + [UInt8(ascii: "\n")]
                    continue
                }
                switch CloudEvent.parse(Array(line)) {
                case .failure(let why):
                    report.unreadable += 1
                    kept += line + [UInt8(ascii: "\n")]
                    logger.error("deferred line is not a CloudEvent; left in the file", metadata: ["file": "\(path)", "reason": "\(why)"])
                case .success(let event):
                    do {
                        try await publish(event)
                        report.sent += 1
                    } catch {
                        failure = "event \(event.id) not acknowledged: \(error)"
                        kept += line + [UInt8(ascii: "\n")]
                    }
                }
            }
            do {
                try await pool.run { [kept] () throws(SpoolWriteError) in try self.finishReplay(of: path, replayedLength: snapshot.count, kept: kept) }
            } catch {
                // The file still holds the events already sent: they go again next pass (at-least-once).
                return stop(&report, because: "could not rewrite the deferred file: \(error)", file: path)
            }
            if let failure { return stop(&report, because: failure, file: path) }
        }
        if report.sent > 0 { logger.info("deferred events re-published to Kafka", metadata: ["count": "\(report.sent)"]) }
        return report
    }

    private func stop(_ report: inout DeferredReplayPass, because reason: String, file: String) -> DeferredReplayPass {
        report.stoppedBecause = reason
        logger.warning("replay of deferred events stopped; the rest stays spooled for the next pass", metadata: [
            "file": "\(file)", "sent": "\(report.sent)", "reason": "\(reason)"])
        return report
    }
}

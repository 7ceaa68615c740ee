import Foundation
import PakaPluginSDK
import PakaPostgres

/// Writes audit events to PostgreSQL (`audit_events`), one statement per batch, idempotent on
/// the event id; lists them at `GET /plugins/audit/events`.
///
/// Without `databaseURL` the plugin refuses to start (the host keeps running and shows why in
/// `GET /plugins`): an audit logger that silently drops its events is worse than none. An
/// unreachable database is not a refusal: events are answered RETRY until it is back.
public final class AuditLogger: PakaPlugin, PakaHTTPServing, PakaHealthReporting {
    public static let name = "audit"
    public static let version = "1.0.0"
    public static let topics = ["audit.event"]
    public static let consumerGroup: String? = "paka-audit-logger"

    private let host: PluginHost
    private let store: AuditStore

    public init(host: PluginHost, config: PluginConfig) throws {
        guard let url = config["databaseURL"] else {
            throw PluginError.fail("audit needs DATABASE_URL: set databaseURL in its plugins.json config (the shipped plugins.json reads ${DATABASE_URL})")
        }
        self.host = host
        store = AuditStore(url: url)
        if let problem = store.problem() {
            host.log(.warning, "\(problem); audit events will be retried until it is reachable")
        }
    }

    public func handle(_ event: Event) throws {
        switch handle(batch: [event])[0] {
        case .ok: return
        case .retry(let message): throw PluginError.retry(message)
        case .fail(let message): throw PluginError.fail(message)
        }
    }

    /// Malformed events FAIL on their own; the rest go to PostgreSQL in one statement. An
    /// outage answers RETRY for all of them (an outage is never dead-lettered).
    public func handle(batch: [Event]) -> [EventResult] {
        var results = [EventResult](repeating: .ok, count: batch.count)
        var records: [AuditRecord] = []
        // The record each event is stored as (nil when malformed): a duplicate inside the batch
        // (the same id, or the same UUID spelt in another case) shares its first copy's fate.
        var recordOf = [Int?](repeating: nil, count: batch.count)
        var recordByKey: [String: Int] = [:]
        recordByKey.reserveCapacity(batch.count)
        for (index, event) in batch.enumerated() {
            let uuid = AuditEventKey.uuid(for: event.id)
            let key = uuid ?? event.id
            if let known = recordByKey[key] {
                recordOf[index] = known
                continue
            }
            do throws(AuditRecord.Malformed) {
                records.append(try AuditRecord(event, key: uuid))
                recordByKey[key] = records.count - 1
                recordOf[index] = records.count - 1
            } catch {
                results[index] = .fail(error.reason)
            }
        }
        guard !records.isEmpty else { return results }
        func answer(_ record: Int, _ result: EventResult) {
            for index in batch.indices where recordOf[index] == record { results[index] = result }
        }
        do throws(PostgresError) {
            try store.insert(records)
        } catch where error.isEventProblem {
            // Some row's values were refused (an unparseable time, say): store row by row so
            // only that event is dead-lettered.
            insertOneByOne(records, answer: answer)
        } catch {
            host.log(.warning, "\(records.count) audit events will be retried: \(error)")
            for index in batch.indices where recordOf[index] != nil { results[index] = .retry("PostgreSQL unavailable: \(error.message)") }
        }
        return results
    }

    private func insertOneByOne(_ records: [AuditRecord], answer: (Int, EventResult) -> Void) {
        var outage: PostgresError?
        for (index, record) in records.enumerated() {
            if let outage {
                answer(index, .retry("PostgreSQL unavailable: \(outage.message)"))
                continue
            }
            do throws(PostgresError) {
                try store.insert([record])
            } catch where error.isEventProblem {
                answer(index, .fail("audit event \(record.eventId) refused by PostgreSQL: \(error)"))
            } catch {
                outage = error
                answer(index, .retry("PostgreSQL unavailable: \(error.message)"))
            }
        }
    }

    public func serve(_ request: HTTPRequest) -> HTTPResponse {
        guard request.path == "/events" || request.path == "/events/" else {
            return .json(#"{"ok":false,"error":"not found: the audit plugin serves GET /plugins/audit/events"}"#, status: 404)
        }
        guard request.method == "GET" else {
            return .json(#"{"ok":false,"error":"method not allowed: use GET"}"#, status: 405)
        }
        do {
            let filter = try AuditEventsFilter(query: request.queryItems)
            return .json(try store.list(filter))
        } catch let error as AuditEventsFilter.Invalid {
            return .json(Self.errorBody(error.message), status: 400)
        } catch {
            return .json(Self.errorBody("audit events unavailable: PostgreSQL is unreachable"), status: 503)
        }
    }

    public func healthProblem() -> String? { store.problem() }

    static func errorBody(_ message: String) -> String {
        // Two strings and a Bool always serialise; the fallback only keeps the answer JSON.
        let data = try? JSONSerialization.data(withJSONObject: ["ok": false, "error": message], options: [.sortedKeys])
        return data.map { String(decoding: $0, as: UTF8.self) } ?? #"{"ok":false,"error":"internal error"}"#
    }
}

@_cdecl("paka_plugin_entry")
public func pakaPluginEntry() -> UnsafeRawPointer { PluginExport.entry(for: AuditLogger.self) }

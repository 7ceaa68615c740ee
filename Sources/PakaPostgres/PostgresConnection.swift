import CLibPQ

/// One libpq connection: parameterised statements, transactions, reconnect after an outage.
///
/// Blocking, and not thread-safe: a processor instance owns one and the host calls an
/// instance from one thread at a time. Parameters always travel separately from the SQL
/// (`PQexecParams`), never spliced into it.
public final class PostgresConnection {
    private let url: String
    private var connection: OpaquePointer?
    /// Between BEGIN and COMMIT/ROLLBACK: a lost connection is then an error, not a reconnect.
    private var inTransaction = false

    /// Connects to `url` (a libpq connection string or postgresql:// URL).
    public init(url: String) throws(PostgresError) {
        self.url = url
        try connect()
    }

    deinit { PQfinish(connection) }

    private func connect() throws(PostgresError) {
        PQfinish(connection)
        connection = PQconnectdb(url)
        guard PQstatus(connection) == CONNECTION_OK else {
            let reason = Self.errorText(connection)
            PQfinish(connection)
            connection = nil
            // The URL may hold a password: never echo it.
            throw PostgresError(message: "cannot connect to PostgreSQL: \(reason)")
        }
        // libpq prints NOTICEs ("relation … already exists, skipping") to stderr, i.e. into the
        // host's log; migrations use IF NOT EXISTS on every start, so keep only warnings and up.
        PQclear(PQexec(connection, "SET client_min_messages TO warning"))
    }

    /// Runs one statement with text parameters (`$1`, `$2`…); nil is SQL NULL. After a lost
    /// connection it reconnects once before giving up.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [String?] = []) throws(PostgresError) -> PostgresResult {
        try reconnectIfLost()
        let result = withCStrings(parameters) { values in
            PQexecParams(connection, sql, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK:
            return Self.copy(result)
        default:
            throw failure(result)
        }
    }

    /// Runs `sql`, a `COPY … FROM STDIN` in text format, with `rows` as its data; returns how
    /// many rows were stored. Reconnects like `execute`.
    ///
    /// COPY stores rows in bulk, without INSERT's per-row executor work: for `audit_events`
    /// about twice INSERT's rate. But it cannot skip a row: one refused or duplicate row fails
    /// the statement and nothing is stored.
    @discardableResult
    public func copy(_ sql: String, _ rows: PostgresCopyRows) throws(PostgresError) -> Int {
        try reconnectIfLost()
        let start = PQexec(connection, sql)
        guard PQresultStatus(start) == PGRES_COPY_IN else {
            defer { PQclear(start) }
            if PQresultStatus(start) == PGRES_COMMAND_OK || PQresultStatus(start) == PGRES_TUPLES_OK {
                throw PostgresError(message: "copy(_:_:) needs a COPY … FROM STDIN statement; got: \(sql.prefix(60))")
            }
            throw failure(start)
        }
        PQclear(start)
        let sent = rows.bytes.isEmpty ? 1 : rows.bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { PQputCopyData(connection, $0.baseAddress, Int32($0.count)) }
        }
        // Ending the COPY even after a failed send (as an error) leaves the connection usable.
        guard PQputCopyEnd(connection, sent == 1 ? nil : "sending the COPY data failed") == 1 else {
            let error = PostgresError(message: Self.errorText(connection))
            // Stuck in COPY mode: drop the connection so the next call starts afresh.
            PQfinish(connection)
            connection = nil
            throw error
        }
        // libpq wants every result read before the next command; the first one is COPY's.
        var outcome: Result<Int, PostgresError>?
        while let result = PQgetResult(connection) {
            defer { PQclear(result) }
            if outcome == nil {
                outcome = PQresultStatus(result) == PGRES_COMMAND_OK ? .success(Self.affectedRows(result)) : .failure(failure(result))
            }
        }
        return try (outcome ?? .failure(PostgresError(message: Self.errorText(connection)))).get()
    }

    private func reconnectIfLost() throws(PostgresError) {
        if connection == nil || PQstatus(connection) != CONNECTION_OK {
            // A new session would run the rest of the transaction outside it (and without its
            // locks); the server rolled the old one back, so the caller must start over.
            if inTransaction {
                throw PostgresError(message: "the connection to PostgreSQL was lost inside a transaction; the server rolled it back")
            }
            PQreset(connection)
            if PQstatus(connection) != CONNECTION_OK { try connect() }
        }
    }

    /// The error a failed statement's result carries (no SQLSTATE when the connection failed).
    private func failure(_ result: OpaquePointer?) -> PostgresError {
        let state = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
        let message = result.flatMap { PQresultErrorMessage($0) }.map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
            ?? Self.errorText(connection)
        return PostgresError(message: message.trimmingCharacters(in: .whitespacesAndNewlines), sqlState: state)
    }

    /// Runs `body` inside BEGIN/COMMIT; any error rolls back and is rethrown.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        inTransaction = true
        defer { inTransaction = false }
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            do {
                try execute("ROLLBACK")
            } catch {
                // The session may still be inside the failed transaction: drop it, so the next call
                // starts on a fresh connection rather than in "current transaction is aborted".
                PQfinish(connection)
                connection = nil
            }
            throw error  // the body's error, the one the caller can act on
        }
    }

    /// True when a trivial query succeeds (used by health hooks). The yes/no is the whole answer
    /// here; a caller that needs the reason runs `execute` itself.
    public var isHealthy: Bool { (try? execute("SELECT 1")) != nil }

    private static func errorText(_ connection: OpaquePointer?) -> String {
        connection.flatMap { PQerrorMessage($0) }.map { String(cString: $0) }?.trimmingCharacters(in: .whitespacesAndNewlines)
            ?? "out of memory"
    }

    private static func copy(_ result: OpaquePointer?) -> PostgresResult {
        let columnCount = PQnfields(result), rowCount = PQntuples(result)
        let columns = (0..<columnCount).map { String(cString: PQfname(result, $0)) }
        let rows = (0..<rowCount).map { row in
            (0..<columnCount).map { column -> String? in
                PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
            }
        }
        return PostgresResult(columns: columns, rows: rows, affectedRows: affectedRows(result))
    }

    private static func affectedRows(_ result: OpaquePointer?) -> Int {
        PQcmdTuples(result).map { Int(String(cString: $0)) ?? 0 } ?? 0
    }
}

/// Calls `body` with a C array of NUL-terminated copies of `values` (NULL for nil).
private func withCStrings<R>(_ values: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
    let copies = values.map { $0.map { strdup($0) } ?? nil }
    defer { copies.forEach { free($0) } }
    return body(copies.map { $0.map { UnsafePointer($0) } })
}

import Foundation

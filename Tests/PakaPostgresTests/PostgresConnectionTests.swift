import Foundation
import Synchronization
import PakaPostgres
import Testing

/// libpq against the real PostgreSQL that scripts/test starts (DATABASE_URL).
@Suite struct PostgresConnectionTests {
    static var url: String {
        get throws {
            try #require(ProcessInfo.processInfo.environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }, "DATABASE_URL is not set: run scripts/test, which starts PostgreSQL")
        }
    }

    @Test func parametersTravelSeparatelyFromTheSQL() throws {
        let db = try PostgresConnection(url: try Self.url)
        let hostile = "'); DROP TABLE x; --"
        let result = try db.execute("SELECT $1::text AS echoed, $2::int + 1 AS next, $3::text IS NULL AS missing", [hostile, "41", nil])
        #expect(result.value(0, "echoed") == hostile)
        #expect(result.value(0, "next") == "42")
        #expect(result.value(0, "missing") == "t")
    }

    @Test func statementErrorCarriesItsSQLStateAndIsNotTheEventsProblem() throws {
        let db = try PostgresConnection(url: try Self.url)
        do {
            try db.execute("SELECT * FROM table_that_does_not_exist_\(UInt32.random(in: 0...UInt32.max))")
            Issue.record("expected an error")
        } catch {
            #expect(error.sqlState == "42P01")
            #expect(!error.isEventProblem)  // a missing table is the operator's: RETRY
            #expect(error.message.contains("does not exist"))
        }
    }

    @Test func unreachableServerIsRetriedNotTheEventsProblemAndHidesThePassword() {
        do {
            _ = try PostgresConnection(url: "postgresql://paka:sekrit-password@127.0.0.1:1/paka?connect_timeout=2")
            Issue.record("expected an error")
        } catch {
            #expect(error.sqlState == nil)
            #expect(!error.isEventProblem)
            #expect(error.message.hasPrefix("cannot connect to PostgreSQL"))
            #expect(!error.description.contains("sekrit-password"))
        }
    }

    @Test func transactionRollsBackOnError() throws {
        let db = try PostgresConnection(url: try Self.url)
        let table = "tx_test_\(UInt32.random(in: 0...UInt32.max))"
        try db.execute("CREATE TABLE \(table) (id int PRIMARY KEY)")
        defer { _ = try? db.execute("DROP TABLE \(table)") }
        #expect(throws: PostgresError.self) {
            try db.transaction {
                try db.execute("INSERT INTO \(table) VALUES (1)")
                try db.execute("INSERT INTO \(table) VALUES (1)")  // duplicate key
            }
        }
        #expect(try db.execute("SELECT count(*) AS n FROM \(table)").value(0, "n") == "0")
    }

    @Test func copyStoresEveryRowWithNullsAndEscapedCharacters() throws {
        let db = try PostgresConnection(url: try Self.url)
        let table = "copy_test_\(UInt32.random(in: 0...UInt32.max))"
        try db.execute("CREATE TABLE \(table) (id int PRIMARY KEY, note text)")
        defer { _ = try? db.execute("DROP TABLE \(table)") }
        let notes: [String?] = ["tab\there", "line\nbreak\r", #"back\slash \N"#, nil, "", "ünïcødé"]
        var rows = PostgresCopyRows()
        for (id, note) in notes.enumerated() {
            rows.append(String(id))
            rows.append(note)
            rows.endRow()
        }
        #expect(rows.count == notes.count)
        #expect(try db.copy("COPY \(table) (id, note) FROM STDIN", rows) == notes.count)
        #expect(try db.execute("SELECT note FROM \(table) ORDER BY id").rows.map { $0[0] } == notes)
    }

    /// One duplicate fails the whole COPY (an integrity error, not an outage), and the
    /// connection is ready for the next statement.
    @Test func copyWithADuplicateKeyStoresNothingAndLeavesTheConnectionUsable() throws {
        let db = try PostgresConnection(url: try Self.url)
        let table = "copy_dup_\(UInt32.random(in: 0...UInt32.max))"
        try db.execute("CREATE TABLE \(table) (id int PRIMARY KEY)")
        defer { _ = try? db.execute("DROP TABLE \(table)") }
        try db.execute("INSERT INTO \(table) VALUES (2)")
        var rows = PostgresCopyRows()
        for id in 1...3 {
            rows.append(String(id))
            rows.endRow()
        }
        do {
            try db.copy("COPY \(table) FROM STDIN", rows)
            Issue.record("expected a unique violation")
        } catch {
            #expect(error.sqlState == "23505")
            #expect(error.isEventProblem)
        }
        #expect(try db.execute("SELECT count(*) AS n FROM \(table)").value(0, "n") == "1")
        #expect(throws: PostgresError.self) { try db.copy("SELECT 1", rows) }
        #expect(try db.execute("SELECT count(*) AS n FROM \(table)").value(0, "n") == "1")
    }

    @Test func migrationsApplyOnceInOrder() throws {
        let db = try PostgresConnection(url: try Self.url)
        let component = "test-\(UInt32.random(in: 0...UInt32.max))"
        let table = "mig_\(component.replacingOccurrences(of: "-", with: "_"))"
        let steps = ["CREATE TABLE \(table) (id int)", "ALTER TABLE \(table) ADD COLUMN name text"]
        try Migrations.apply(steps, component: component, on: db)
        try Migrations.apply(steps, component: component, on: db)  // second run: nothing to do
        let columns = try db.execute("SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position", [table])
        #expect(columns.rows.map { $0[0] } == ["id", "name"])
        #expect(try db.execute("SELECT count(*) AS n FROM paka_schema_migrations WHERE component = $1", [component]).value(0, "n") == "2")
        try db.execute("DROP TABLE \(table)")
    }

    /// Processors starting together on a fresh database all create the bookkeeping table at once;
    /// without one lock around that, PostgreSQL fails all but one (duplicate key in pg_type).
    @Test func processorsMigratingAFreshDatabaseTogetherAllSucceed() throws {
        let admin = try PostgresConnection(url: try Self.url)
        let database = "paka_fresh_\(UInt32.random(in: 0...UInt32.max))"
        try admin.execute("CREATE DATABASE \(database)")
        defer { _ = try? admin.execute("DROP DATABASE \(database) WITH (FORCE)") }
        let freshURL = try Self.url(withDatabase: database)

        let components = (0..<8).map { "racer-\($0)" }
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: components.count) { index in
            let component = components[index]
            do {
                let db = try PostgresConnection(url: freshURL)
                try Migrations.apply(["CREATE TABLE \(component.replacingOccurrences(of: "-", with: "_")) (id int)"], component: component, on: db)
            } catch {
                failures.withLock { $0.append("\(component): \(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        let fresh = try PostgresConnection(url: freshURL)
        #expect(try fresh.execute("SELECT count(*) AS n FROM paka_schema_migrations").value(0, "n") == "\(components.count)")
    }

    /// DATABASE_URL with its database name replaced.
    static func url(withDatabase database: String) throws -> String {
        var parts = try #require(URLComponents(string: try url), "DATABASE_URL is not a URL")
        parts.path = "/" + database
        return try #require(parts.string)
    }

    /// Processors answer FAIL only when the event's values were refused; an outage, a missing
    /// table or a missing privilege is RETRY, so no event is dead-lettered for the operator's problem.
    @Test func onlyRefusedValuesAreTheEventsProblem() throws {
        let db = try PostgresConnection(url: try Self.url)
        func refusal(_ sql: String) -> PostgresError? {
            do { try db.execute(sql); return nil } catch { return error }
        }
        #expect(refusal("SELECT 'not-a-uuid'::uuid")?.isEventProblem == true)  // 22P02
        #expect(refusal("SELECT 1/0")?.isEventProblem == true)  // 22012
        let table = "problem_\(UInt32.random(in: 0...UInt32.max))"
        try db.execute("CREATE TEMP TABLE \(table) (id int PRIMARY KEY)")
        try db.execute("INSERT INTO \(table) VALUES (1)")
        #expect(refusal("INSERT INTO \(table) VALUES (1)")?.isEventProblem == true)  // 23505
        #expect(refusal("SELECT * FROM missing_table_\(table)")?.isEventProblem == false)  // 42P01
        #expect(PostgresError(message: "connection refused").isEventProblem == false)
    }

    /// A reconnect inside a transaction would run the rest of it in a new session, outside the
    /// transaction and its locks (the migrations' advisory lock among them).
    @Test func aConnectionLostInsideATransactionFailsItInsteadOfReconnecting() throws {
        let db = try PostgresConnection(url: try Self.url)
        let table = "lost_tx_\(UInt32.random(in: 0...UInt32.max))"
        try db.execute("CREATE TABLE \(table) (id int)")
        defer { _ = try? db.execute("DROP TABLE \(table)") }
        #expect(throws: PostgresError.self) {
            try db.transaction {
                try db.execute("INSERT INTO \(table) VALUES (1)")
                _ = try? db.execute("SELECT pg_terminate_backend(pg_backend_pid())")
                try db.execute("INSERT INTO \(table) VALUES (2)")
            }
        }
        // Outside the transaction the connection comes back, and nothing of it was stored.
        #expect(try db.execute("SELECT count(*) AS n FROM \(table)").value(0, "n") == "0")
    }
}


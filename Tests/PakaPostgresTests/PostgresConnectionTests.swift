import Foundation
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

    @Test func statementErrorCarriesItsSQLStateAndIsNotTransient() throws {
        let db = try PostgresConnection(url: try Self.url)
        do {
            try db.execute("SELECT * FROM table_that_does_not_exist_\(UInt32.random(in: 0...UInt32.max))")
            Issue.record("expected an error")
        } catch {
            #expect(error.sqlState == "42P01")
            #expect(!error.isTransient)
            #expect(error.message.contains("does not exist"))
        }
    }

    @Test func unreachableServerIsATransientErrorThatHidesThePassword() {
        do {
            _ = try PostgresConnection(url: "postgresql://paka:sekrit-password@127.0.0.1:1/paka?connect_timeout=2")
            Issue.record("expected an error")
        } catch {
            #expect(error.isTransient)
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
}

/// Versioned schema migrations per component, recorded in `paka_schema_migrations`, so each
/// processor owns its tables and upgrades them in place.
public enum Migrations {
    /// Applies `steps[n]` for every version n+1 not yet applied to `component`, in one transaction.
    ///
    /// One advisory lock, taken before anything else, serialises every component's migrations on
    /// a database: `CREATE TABLE IF NOT EXISTS` is not safe against a concurrent creator
    /// (PostgreSQL answers the loser with a duplicate key in `pg_type`), and processors starting
    /// together on a fresh database all create the bookkeeping table at once.
    public static func apply(_ steps: [String], component: String, on db: PostgresConnection) throws {
        try db.transaction {
            try db.execute("SELECT pg_advisory_xact_lock(hashtext('paka-schema-migrations'))")
            try db.execute("""
                CREATE TABLE IF NOT EXISTS paka_schema_migrations (
                    component text NOT NULL, version integer NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (component, version))
                """)
            let current = try db.execute("SELECT coalesce(max(version), 0) AS v FROM paka_schema_migrations WHERE component = $1", [component])
            let applied = Int(current.value(0, "v") ?? "0") ?? 0
            for (index, step) in steps.enumerated() where index + 1 > applied {
                try db.execute(step)
                try db.execute("INSERT INTO paka_schema_migrations (component, version) VALUES ($1, $2)", [component, String(index + 1)])
            }
        }
    }
}

/// A connection opened on first use with a component's migrations applied, so a processor can
/// start before its database does and create its tables once it answers.
public final class MigratedDatabase {
    private let url: String
    private let component: String
    private let migrations: [String]
    private var db: PostgresConnection?

    public init(url: String, component: String, migrations: [String]) {
        self.url = url
        self.component = component
        self.migrations = migrations
    }

    /// The open connection, schema applied; throws when PostgreSQL cannot be reached.
    public func connection() throws(PostgresError) -> PostgresConnection {
        if let db { return db }
        let fresh = try PostgresConnection(url: url)
        do {
            try Migrations.apply(migrations, component: component, on: fresh)
        } catch let error as PostgresError {
            throw error
        } catch {
            throw PostgresError(message: "\(component) migrations failed: \(error)")
        }
        db = fresh
        return fresh
    }

    /// nil when a trivial query succeeds, else why not (for a processor's health hook).
    public func healthProblem() -> String? {
        do throws(PostgresError) {
            try connection().execute("SELECT 1")
            return nil
        } catch {
            return "PostgreSQL unreachable: \(error.message)"
        }
    }

    /// SQL turning the text parameter `parameter` (e.g. "$1") into the event's uuid: CloudEvents
    /// ids are UUIDs when Paka made them; any other id maps to a stable UUID (its MD5), so a
    /// redelivered foreign event still finds its row.
    public static func eventUUID(_ parameter: String) -> String {
        "CASE WHEN \(parameter) ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' THEN \(parameter)::uuid ELSE md5(\(parameter))::uuid END"
    }
}

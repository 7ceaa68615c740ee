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
}

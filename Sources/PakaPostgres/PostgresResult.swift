/// The rows of one statement, copied out of libpq (text format).
public struct PostgresResult: Sendable {
    public let columns: [String]
    public let rows: [[String?]]
    /// Rows inserted/updated/deleted (`PQcmdTuples`), 0 for others.
    public let affectedRows: Int

    /// The value in `row` of the column named `column`; nil for NULL or an unknown column.
    public func value(_ row: Int, _ column: String) -> String? {
        guard let index = columns.firstIndex(of: column) else { return nil }
        return rows[row][index]
    }
}

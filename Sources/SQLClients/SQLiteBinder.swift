import Directory
import GRDB
import GRDBSQLite

/// Steps one prepared SQLite statement once per row, binding each row's values through
/// SQLite's C API ("Binding Values To Prepared Statements", sqlite.org/c3ref/bind_blob.html).
///
/// Each value is bound as ``SQLiteDatabase/databaseValue(_:)`` converts it and GRDB binds
/// that (`DatabaseValue.bind(to:at:)`), so that a row reads back the same whichever way it was
/// written; only GRDB's `StatementArguments` are skipped.
struct SQLiteBinder {
    private let statement: OpaquePointer
    private let sql: String

    init(_ statement: OpaquePointer, sql: String) {
        self.statement = statement
        self.sql = sql
    }

    /// Binds and steps every row; throws GRDB's `DatabaseError` for the first step SQLite
    /// refuses (with SQLite's message), after resetting the statement.
    func executeEach(_ rows: [[SQLValue]]) throws {
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        let markers = Int(sqlite3_bind_parameter_count(statement))
        for row in rows {
            guard row.count == markers else {
                throw DatabaseError(message: "wrong number of statement arguments: \(row.count) for \(markers) markers", sql: sql)
            }
            for index in row.indices {
                try check(bind(row[index], at: Int32(index + 1)))
            }
            let code = sqlite3_step(statement)
            guard code == SQLITE_DONE || code == SQLITE_ROW else { throw error(code) }
            // After a failed step, sqlite3_reset returns the step's error again; after a
            // successful one, SQLITE_OK.
            try check(sqlite3_reset(statement))
        }
    }

    /// GRDB's own binding of the value's `DatabaseValue`: what cost in GRDB's path was the
    /// arguments' array of existentials around it, not this.
    private func bind(_ value: SQLValue, at index: Int32) -> Int32 {
        SQLiteDatabase.databaseValue(value).bind(to: statement, at: index)
    }

    private func check(_ code: Int32) throws {
        guard code == SQLITE_OK else { throw error(code) }
    }

    private func error(_ code: Int32) -> DatabaseError {
        let database = sqlite3_db_handle(statement)
        let message = sqlite3_errmsg(database).map { String(cString: $0) }
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: sql)
    }
}

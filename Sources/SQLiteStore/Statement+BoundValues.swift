import GRDB
import GRDBSQLite

extension Statement {
    /// Runs the statement once with `values` bound to its markers in order, through SQLite's
    /// C API ("Binding Values To Prepared Statements", sqlite.org/c3ref/bind_blob.html), each
    /// value as GRDB binds it (`DatabaseValue.bind(to:at:)`).
    ///
    /// For statements run often with many values: GRDB's `StatementArguments` convert each
    /// value through a generic call that cost more than SQLite's insert of a journal's rows.
    /// Throws GRDB's `DatabaseError` for a wrong number of values or a step SQLite refuses.
    /// Leaves the statement reset with nothing bound, however it ends: a statement run this
    /// way is run only this way.
    public func execute(binding values: [DatabaseValue]) throws {
        let statement = sqliteStatement
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        try check(sqlite3_reset(statement))
        guard values.count == Int(sqlite3_bind_parameter_count(statement)) else {
            throw DatabaseError(
                message: "wrong number of statement arguments: \(values.count) for \(sqlite3_bind_parameter_count(statement)) markers",
                sql: sql)
        }
        for (index, value) in zip(Int32(1)..., values) {
            try check(value.bind(to: statement, at: index))
        }
        while true {
            let code = sqlite3_step(statement)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else { throw error(code) }
        }
    }

    private func check(_ code: Int32) throws {
        guard code == SQLITE_OK else { throw error(code) }
    }

    private func error(_ code: Int32) -> DatabaseError {
        let message = sqlite3_errmsg(sqlite3_db_handle(sqliteStatement)).map { String(cString: $0) }
        return DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: sql)
    }
}

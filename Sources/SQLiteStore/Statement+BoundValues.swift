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
        try execute(bindingEach: values.count) { values[$0] }
    }

    /// ``execute(binding:)`` with `count` values, the value of marker `index + 1` given by
    /// `value(index)`: a caller with values of its own kind binds them without an array of
    /// database values per run (a bulk insert's rows).
    public func execute(bindingEach count: Int, _ value: (Int) -> DatabaseValue) throws {
        let statement = sqliteStatement
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        try check(sqlite3_reset(statement))
        let markers = Int(sqlite3_bind_parameter_count(statement))
        guard count == markers else {
            throw DatabaseError(message: "wrong number of statement arguments: \(count) for \(markers) markers", sql: sql)
        }
        for index in 0..<count {
            try check(value(index).bind(to: statement, at: Int32(index + 1)))
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

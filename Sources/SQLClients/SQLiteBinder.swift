import Directory
import Foundation
import GRDB
import GRDBSQLite

/// Steps one prepared SQLite statement once per row, binding each row's values through
/// SQLite's C API ("Binding Values To Prepared Statements", sqlite.org/c3ref/bind_blob.html).
///
/// Each value is bound in the form ``SQLiteDatabase/databaseValue(_:)`` gives it to GRDB, so
/// that a row reads back the same whichever way it was written: `.bool` as 1/0, `.uint` above
/// `Int64.max` as decimal text, `.bits` as an integer, `.decimal` and `.json` as text, dates
/// and times as ISO 8601 text; text and blobs exactly as GRDB binds them. Both are bound with
/// `SQLITE_TRANSIENT`: SQLite copies them before the call returns, so no Swift buffer has to
/// outlive it.
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

    private func bind(_ value: SQLValue, at index: Int32) -> Int32 {
        switch value {
        case .null:
            return sqlite3_bind_null(statement, index)
        case .bool(let flag):
            return sqlite3_bind_int64(statement, index, flag ? 1 : 0)
        case .int(let number):
            return sqlite3_bind_int64(statement, index, number)
        case .uint(let number):
            if let exact = Int64(exactly: number) { return sqlite3_bind_int64(statement, index, exact) }
            return bindText(String(number), at: index)
        case .double(let number):
            return sqlite3_bind_double(statement, index, number)
        case .decimal(let text), .text(let text), .json(let text):
            return bindText(text, at: index)
        case .bytes(let bytes):
            // The call GRDB makes for `Data`, so that an empty one is stored as GRDB stores it.
            return Data(bytes).withUnsafeBytes { buffer in
                sqlite3_bind_blob(statement, index, buffer.baseAddress, Int32(buffer.count), sqliteTransient)
            }
        case .bits(let number, _):
            return sqlite3_bind_int64(statement, index, Int64(bitPattern: number))
        case .date(let date):
            return bindText(TemporalText.date(date), at: index)
        case .time(let time):
            return bindText(TemporalText.time(time, fraction: .microseconds), at: index)
        case .dateTime(let value), .timestamp(let value):
            return bindText(TemporalText.dateTime(value, fraction: .microseconds), at: index)
        }
    }

    /// As GRDB binds a `String`: NUL-terminated (a native string stores its UTF-8 so, which
    /// spares a copy but for short strings), which ends the text at an embedded NUL, as GRDB's
    /// binding does.
    private func bindText(_ text: String, at index: Int32) -> Int32 {
        text.withCString { sqlite3_bind_text(statement, index, $0, -1, sqliteTransient) }
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

/// `SQLITE_TRANSIENT`: SQLite copies the value before the bind call returns. The C macro is
/// `((sqlite3_destructor_type)-1)`, which Swift does not import.
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

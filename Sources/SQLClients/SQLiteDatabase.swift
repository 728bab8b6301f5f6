import Directory
import Foundation
import GRDB
import SQLiteStore

/// A SQLite database file, through GRDB's `DatabaseQueue` (which serialises access and owns
/// the sqlite3 handle).
///
/// SQLite stores five kinds of value (NULL, INTEGER, REAL, TEXT, BLOB), whatever a column
/// declares, so results come back as `.null`, `.int`, `.double`, `.text` or `.bytes`. Values
/// without a SQLite kind are written in the form SQLite's own functions use:
/// `.bool` as 1/0; dates and times as ISO 8601 text (`2024-03-01`, `2024-03-01 13:45:00.25`,
/// `.timestamp` in UTC without a suffix); `.decimal` and `.json` as text; `.bits` as an
/// integer; a `.uint` above `Int64.max` as decimal text, which is the only lossless form.
///
/// `BEGIN` … `COMMIT` may be sent as separate `execute` calls. GRDB's default of enforcing
/// foreign keys (`PRAGMA foreign_keys = ON`) stays.
///
/// Not Sendable: one owner uses it, like the other connections of this module.
public final class SQLiteDatabase {
    let queue: DatabaseQueue
    public let path: String

    /// How long a statement waits for another connection's lock before failing with
    /// SQLITE_BUSY.
    public static let busyTimeout: TimeInterval = 5

    /// Opens the database at `path`, creating the file if it does not exist.
    /// - Throws: `SQLiteError`, `.cannotOpen` when the file cannot be opened or created.
    public init(path: String) throws {
        self.path = path
        // A SQL target's transaction spans many calls (BEGIN, statements, COMMIT), as it does
        // on the other connections of this module. GRDB stops the process when an access block
        // ends inside a transaction unless told that this is intended
        // (Configuration.allowsUnsafeTransactions).
        var configuration = Configuration()
        configuration.allowsUnsafeTransactions = true
        // Another process reading the file (a report, `sqlite3`) holds a shared lock for the
        // length of its read; without a busy timeout SQLite fails a write or COMMIT at once
        // with SQLITE_BUSY instead of waiting those few milliseconds.
        configuration.busyMode = .timeout(Self.busyTimeout)
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
        } catch {
            throw SQLiteError(error, path: path)
        }
    }

    /// Runs one statement with `parameters` bound to its `?` markers and returns its rows
    /// (empty for statements without a result set).
    @discardableResult
    public func query(_ sql: String, _ parameters: [SQLValue] = []) throws -> [Directory.Row] {
        try Self.refuseNUL(parameters, path: path)
        let arguments = Self.arguments(parameters)
        do {
            return try queue.inDatabase { database in
                try GRDB.Row.fetchAll(database, sql: sql, arguments: arguments).map { row in
                    Directory.Row(columns: Array(row.columnNames), values: row.databaseValues.map(Self.sqlValue))
                }
            }
        } catch {
            throw SQLiteError(error, path: path)
        }
    }

    /// The message of a text value holding NUL, refused before it is bound.
    public static let nulInText = "a text value holds a NUL character (U+0000), which SQLite's text binding would cut there"

    /// Refuses a text holding NUL, as a type mismatch (SQLITE_MISMATCH, 20): GRDB binds text
    /// as a C string, so the value would be stored cut at the NUL, and a value written so can
    /// replace another row's (an id `u5` followed by NUL and more text is stored as `u5`).
    static func refuseNUL(_ values: [SQLValue], path: String) throws(SQLiteError) {
        for value in values {
            switch value {
            case .text(let text), .json(let text):
                if text.utf8.contains(0) { throw SQLiteError(kind: .other, code: 20, path: path, message: nulInText) }
            default: continue
            }
        }
    }

    /// GRDB's arguments for `values`, made from optional existentials on purpose: GRDB's
    /// initialiser for a sequence of one concrete type maps it through a key path, which an
    /// unspecialised generic creates at run time on every call (`swift_getKeyPath`, demangling
    /// included): a fifth of a first load's time into SQLite, in perf.
    static func arguments(_ values: [SQLValue]) -> StatementArguments {
        StatementArguments(values.map { Self.databaseValue($0) as (any DatabaseValueConvertible)? })
    }

    /// Runs one statement once per row of `rows`, each bound to its `?` markers: the statement
    /// is compiled once per call and only stepped per row, which is what a bulk insert in one
    /// transaction costs least as ("prepared statements", SQLite docs, "The Life-Cycle Of A
    /// Prepared Statement": bind, step, reset, repeat).
    ///
    /// The rows are bound and stepped through SQLite's C API (`Statement.execute(bindingEach:_:)`
    /// in SQLiteStore), each value as ``databaseValue(_:)`` converts it: GRDB's
    /// `StatementArguments` (an array of existentials per row) and their binding were a
    /// quarter of a first load's writing thread.
    public func executeEach(_ sql: String, rows: [[SQLValue]]) throws {
        for row in rows { try Self.refuseNUL(row, path: path) }
        do {
            try queue.inDatabase { database in
                // A statement of its own, not GRDB's cached one, which GRDB steps with its
                // own bookkeeping of arguments.
                let statement = try database.makeStatement(sql: sql)
                for row in rows {
                    try statement.execute(bindingEach: row.count) { Self.databaseValue(row[$0]) }
                }
            }
        } catch {
            throw SQLiteError(error, path: path)
        }
    }

    /// Runs SQL without parameters, possibly several statements separated by semicolons.
    public func execute(_ sql: String) throws {
        do {
            try queue.inDatabase { database in try database.execute(sql: sql) }
        } catch {
            throw SQLiteError(error, path: path)
        }
    }

    /// The columns of `table` in table order, from `pragma_table_info`, or nil when there is
    /// no such table or view. `sqlType` is the declared type as written (`""` when none).
    public func columns(ofTable table: String) throws -> [ColumnDescription]? {
        let rows = try query(
            #"SELECT name, type, "notnull", pk, dflt_value IS NOT NULL, dflt_value FROM pragma_table_info(?)"#, [.text(table)])
        guard !rows.isEmpty else { return nil }
        // Only a table's one INTEGER PRIMARY KEY can be AUTOINCREMENT ("SQLite Autoincrement"),
        // so the keyword in the table's definition names that column.
        let definition = try query("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", [.text(table)])
            .first?.catalogText(0) ?? ""
        let autoincrement = definition.range(of: "AUTOINCREMENT", options: .caseInsensitive) != nil
        let keyColumns = rows.filter { ($0.catalogInteger(3) ?? 0) > 0 }.count
        return rows.map { row in
            let isPrimaryKey = (row.catalogInteger(3) ?? 0) > 0
            return ColumnDescription(
                name: row.catalogText(0) ?? "",
                sqlType: row.catalogText(1) ?? "",
                nullable: row.catalogInteger(2) == 0,
                // pk is the column's 1-based position in the primary key, 0 when not part of it.
                isPrimaryKey: isPrimaryKey,
                isGenerated: autoincrement && isPrimaryKey && keyColumns == 1
                    && (row.catalogText(1) ?? "").caseInsensitiveCompare("INTEGER") == .orderedSame,
                hasDefault: row.catalogInteger(4) == 1,
                defaultExpression: row.catalogText(5)
            )
        }
    }

    /// The names of the tables and views, sorted, without SQLite's internal `sqlite_` tables.
    public func tableNames() throws -> [String] {
        try query(
            """
            SELECT name FROM sqlite_schema
            WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
            ORDER BY name
            """
        ).compactMap { $0.catalogText(0) }
    }

    /// Every table's and view's column names, in table order.
    public func columnNamesByTable() throws -> [String: [String]] {
        let rows = try query(
            """
            SELECT m.name, p.name FROM sqlite_schema AS m, pragma_table_info(m.name) AS p
            WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'
            ORDER BY m.name, p.cid
            """
        )
        return Dictionary(grouping: rows.compactMap { row in
            row.catalogText(0).flatMap { table in row.catalogText(1).map { (table, $0) } }
        }, by: \.0).mapValues { $0.map(\.1) }
    }

    static func databaseValue(_ value: SQLValue) -> DatabaseValue {
        switch value {
        case .null:
            return .null
        case .bool(let flag):
            return (flag ? 1 : 0 as Int64).databaseValue
        case .int(let number):
            return number.databaseValue
        case .uint(let number):
            return Int64(exactly: number)?.databaseValue ?? String(number).databaseValue
        case .double(let number):
            return number.databaseValue
        case .decimal(let text), .text(let text), .json(let text):
            return text.databaseValue
        case .bytes(let bytes):
            return Data(bytes).databaseValue
        case .bits(let number, _):
            return Int64(bitPattern: number).databaseValue
        case .date(let date):
            return TemporalText.date(date).databaseValue
        case .time(let time):
            return TemporalText.time(time, fraction: .microseconds).databaseValue
        case .dateTime(let value), .timestamp(let value):
            return TemporalText.dateTime(value, fraction: .microseconds).databaseValue
        }
    }

    static func sqlValue(_ value: DatabaseValue) -> SQLValue {
        switch value.storage {
        case .null: .null
        case .int64(let number): .int(number)
        case .double(let number): .double(number)
        case .string(let text): .text(text)
        case .blob(let data): .bytes([UInt8](data))
        }
    }
}

@available(*, unavailable) extension SQLiteDatabase: Sendable {}

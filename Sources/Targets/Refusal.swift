import Foundation
import SCIM
import SQLClients
import SQLServerClient

/// Why a database refused one row, read from its error code, and the column it named where
/// its message names one: what quarantining the row needs, without any value.
struct Refusal: Sendable, Hashable {
    var reason: RefusalReason
    var column: String?

    /// The refusal a database error stands for, nil for errors that are not about the row
    /// (a lost connection, a lock conflict, a missing table).
    ///
    /// Messages are read only for the column name and only where the code fixes the
    /// message's shape; messages that quote the value (a duplicate entry, an invalid input)
    /// are never read.
    init?(_ error: any Error) {
        switch error {
        case let error as MariaDBError:
            guard let refusal = Self.mariaDB(error) else { return nil }
            self = refusal
        case let error as PostgresError:
            guard let refusal = Self.postgres(error) else { return nil }
            self = refusal
        case let error as SQLiteError:
            guard let refusal = Self.sqlite(error) else { return nil }
            self = refusal
        case let error as SQLServerError:
            guard let refusal = Self.sqlServer(error) else { return nil }
            self = refusal
        default:
            return nil
        }
    }

    init(_ reason: RefusalReason, column: String? = nil) {
        self.reason = reason
        self.column = column
    }

    /// MariaDB server error codes (MariaDB KB, "MariaDB Error Codes"): 1062 ER_DUP_ENTRY,
    /// 1586 ER_DUP_ENTRY_WITH_KEY_NAME; 1406 ER_DATA_TOO_LONG ("Data too long for column
    /// 'c' at row 1"); 1048 ER_BAD_NULL_ERROR ("Column 'c' cannot be null"); 1364
    /// ER_NO_DEFAULT_FOR_FIELD ("Field 'c' doesn't have a default value"); 1264
    /// ER_WARN_DATA_OUT_OF_RANGE and 1265 WARN_DATA_TRUNCATED ("… for column 'c' at row 1");
    /// 1366 ER_TRUNCATED_WRONG_VALUE_FOR_FIELD and 1292 ER_TRUNCATED_WRONG_VALUE ("Incorrect …
    /// value: '…' for column …", whose value is skipped); 3819/4025 a CHECK constraint; 1451,
    /// 1217 a delete of a referenced row; 1452, 1216 a missing referenced row.
    private static func mariaDB(_ error: MariaDBError) -> Refusal? {
        let message = error.message
        switch error.code {
        case 1062, 1586: return Refusal(.uniqueConflict)
        case 1406: return Refusal(.tooLong, column: quoted(in: message, after: "column '", closing: "'"))
        case 1048: return Refusal(.missingValue, column: quoted(in: message, after: "Column '", closing: "'"))
        case 1364: return Refusal(.missingValue, column: quoted(in: message, after: "Field '", closing: "'"))
        case 1264, 1265: return Refusal(.wrongType, column: quoted(in: message, after: "column '", closing: "'"))
        case 1366, 1292: return Refusal(.wrongType, column: lastNameSegment(in: message, after: " for column "))
        case 3819, 4025: return Refusal(.check)
        case 1451, 1217: return Refusal(.stillReferenced)
        case 1452, 1216: return Refusal(.foreignKey)
        case 1644: return Refusal(.raised(LogText.safe(message, limit: 200)))
        case let code where serverStates.contains(code):
            return nil
        default:
            // Other server errors about the data (ER_* in 1000–1999 and 3000+), not the
            // connection or the schema, which are not the row's fault.
            switch error.kind {
            case .other: return Refusal(.other(code: "MariaDB \(error.code)"))
            case .lostConnection, .cannotConnect, .accessDenied, .permissionDenied, .unknownDatabase, .noSuchTable,
                .unknownColumn, .wrongParameterCount:
                return nil
            }
        }
    }

    /// MariaDB errors about the server's state, not the row: the batch fails and is tried
    /// again, instead of every row of it being quarantined while the state lasts. 1290
    /// ER_OPTION_PREVENTS_STATEMENT (`read_only`), 1792/1836 read-only transaction or mode;
    /// 1021 ER_DISK_FULL, 1114 ER_RECORD_FILE_FULL (table full), 1030 ER_GET_ERRNO (storage
    /// engine), 1037/1038/1041 out of memory, 1135 no thread; 1205 lock wait timeout, 1213
    /// deadlock, 1223 conflicting read lock, 1099/1100/1192 locked tables; 1040 too many
    /// connections, 1203/1226 user limits, 1637 too many transactions; 1053 shutdown in
    /// progress, 1927 connection killed, 1317 query interrupted, 1969/3024 statement timeout;
    /// 1043/1152/1158–1161/1184 network; 1180/1181 commit or rollback failed; 1412/1615 a
    /// table changed under a statement; 4031 idle transaction timeout.
    static let serverStates: Set<UInt32> = [
        1290, 1792, 1836, 1021, 1114, 1030, 1037, 1038, 1041, 1135, 1205, 1213, 1223, 1099, 1100, 1192, 1040, 1203,
        1226, 1637, 1053, 1927, 1317, 1969, 3024, 1043, 1152, 1158, 1159, 1160, 1161, 1184, 1180, 1181, 1412, 1615, 4031,
    ]

    /// PostgreSQL SQLSTATEs (docs, Appendix A): class 23 integrity constraint violations
    /// (23505 unique, 23502 not null — "null value in column "c" of relation …", 23514
    /// check, 23503 foreign key) and class 22 data exceptions (22001 string data right
    /// truncation, 22P02 invalid text representation, 22003 numeric value out of range …).
    private static func postgres(_ error: PostgresError) -> Refusal? {
        guard let state = error.sqlState else { return nil }
        switch state {
        case "23505": return Refusal(.uniqueConflict)
        case "23502": return Refusal(.missingValue, column: quoted(in: error.message, after: "column \"", closing: "\""))
        case "23514": return Refusal(.check)
        case "23503": return Refusal(.foreignKey)
        case "22001": return Refusal(.tooLong)
        case "22021": return Refusal(.nulCharacter)
        // raise_exception: a trigger's RAISE EXCEPTION (a function's own message).
        case "P0001": return Refusal(.raised(LogText.safe(error.message, limit: 200)))
        // program_limit_exceeded: "index row size … exceeds … maximum … for index".
        case "54000": return Refusal(.tooLargeForIndex)
        default:
            if state.hasPrefix("22") { return Refusal(.wrongType) }
            if state.hasPrefix("23") { return Refusal(.other(code: "SQLSTATE \(state)")) }
            return nil
        }
    }

    /// SQLite: SQLITE_CONSTRAINT with its fixed messages ("UNIQUE constraint failed: t.c",
    /// "NOT NULL constraint failed: t.c", "CHECK constraint failed: name", "FOREIGN KEY
    /// constraint failed"), SQLITE_TOOBIG (18) and SQLITE_MISMATCH (20, STRICT tables).
    private static func sqlite(_ error: SQLiteError) -> Refusal? {
        let message = error.message
        switch error.code {
        case 18: return Refusal(.tooLong)
        case 20: return Refusal(message == SQLiteDatabase.nulInText ? .nulCharacter : .wrongType)
        default: break
        }
        guard error.kind == .constraintViolation else { return nil }
        let column = lastNameSegment(in: message, after: "failed: ")
        if message.contains("UNIQUE") || message.contains("PRIMARY KEY") { return Refusal(.uniqueConflict, column: column) }
        if message.contains("NOT NULL") { return Refusal(.missingValue, column: column) }
        if message.contains("CHECK") { return Refusal(.check) }
        if message.contains("FOREIGN KEY") { return Refusal(.foreignKey) }
        return Refusal(.other(code: "SQLite \(error.code)"))
    }

    /// The text between `opening` and the next `closing`.
    private static func quoted(in message: String, after opening: String, closing: Character) -> String? {
        guard let start = message.range(of: opening)?.upperBound else { return nil }
        let rest = message[start...]
        guard let end = rest.firstIndex(of: closing) else { return nil }
        let name = rest[..<end]
        return name.isEmpty ? nil : String(name)
    }

    /// The last dotted segment of the name after `opening` (`db`.`t`.`c`, 't'.c, t.c),
    /// unquoted, up to a space or comma.
    private static func lastNameSegment(in message: String, after opening: String) -> String? {
        guard let start = message.range(of: opening, options: .backwards)?.upperBound else { return nil }
        let name = message[start...].prefix { $0 != " " && $0 != "," }
        let last = name.split(separator: ".").last.map(String.init) ?? ""
        let unquoted = last.filter { $0 != "`" && $0 != "'" && $0 != "\"" }
        return unquoted.isEmpty ? nil : unquoted
    }
}

import Directory
import SCIM
import SQLClients
import SQLServerClient

/// Why a SQL target could not be opened or could not apply a batch.
///
/// `description` names the operation kind, table and column, and what to do, never a value:
/// values are personal data. The database's own message (which may quote values) is kept in
/// ``detail`` and shown only by `debugDescription` (`String(reflecting:)`).
public struct TargetError: Error, Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The layout names a table the target database lacks.
        case missingTable(table: String)
        /// The layout maps a column the table lacks.
        case missingColumn(table: String, column: String)
        /// The operation needs a part of the layout that is not there (a groups table, a
        /// membership, a parent column, a column mapped to `active`).
        case unsupported(TargetOperation, needs: String)
        /// `onDelete: deactivate` with no column mapped to `active`.
        case deactivateNeedsActiveColumn(table: String)
        /// A resource did not map to a row (or a row to a resource) of `table`.
        case mapping(TargetOperation, table: String, RowMappingError)
        /// The PATCH operations do not apply to the stored resource.
        case patch(TargetOperation, table: String, status: Int, scimType: String?)
        /// A foreign key failed: a statement referenced a user or group the target lacks, or
        /// deleted one still referenced.
        case foreignKey(TargetOperation, table: String)
        /// A deferred foreign key failed when the transaction committed.
        case foreignKeyAtCommit
        /// Any other failure of a statement.
        case statement(TargetOperation, table: String)
        /// Reading the catalog's description of the table failed.
        case catalog(table: String)
        /// BEGIN, COMMIT or the deferral of foreign keys failed.
        case transaction(step: String)
        /// The write a batch's COMMIT waits for (the offset store's record of what the batch
        /// creates) failed; nothing was committed.
        case beforeCommit
        /// Reading the table's rows (reconciliation) failed.
        case read(table: String)
    }

    public var kind: Kind
    /// The underlying error's `description` (free of values by the SQLClients contract).
    public var cause: String?
    /// The underlying error in full (`String(reflecting:)`); may quote values.
    public var detail: String?
    /// Whether the same batch may succeed later unchanged: the connection was lost or could
    /// not be made, or the SQLite file was locked. The caller reconnects (for a lost
    /// connection) and retries with backoff; other errors need a person to look.
    public var isTransient: Bool
    /// The database gave up on the transaction over a lock conflict with another one (a
    /// deadlock, a lock wait timeout): running the batch again may succeed.
    public var isLockConflict: Bool
    /// A UNIQUE or PRIMARY KEY constraint refused the row: the SCIM server answers 409.
    public var isUniqueViolation: Bool = false
    /// What the database refused about the row, read from its error code (no value).
    var refusal: Refusal?

    public init(
        _ kind: Kind, cause: String? = nil, detail: String? = nil, isTransient: Bool = false,
        isLockConflict: Bool = false
    ) {
        self.kind = kind
        self.cause = cause
        self.detail = detail
        self.isTransient = isTransient
        self.isLockConflict = isLockConflict
    }

    /// A row not written because a UNIQUE key other than its id held its value, found by
    /// scimsync rather than reported by the database (MariaDB's upsert, see
    /// `SQLDialect.upsert`).
    init(uniqueConflictOf operation: TargetOperation, table: String) {
        self.init(
            .statement(operation, table: table),
            cause: "a UNIQUE key of the table already holds one of the rows' values under another id")
        isUniqueViolation = true
        refusal = Refusal(.uniqueConflict)
    }

    /// Wraps a database error raised outside any one operation (BEGIN, COMMIT, the catalog).
    init(_ kind: Kind, underlying error: any Error) {
        self.init(
            kind, cause: String(describing: error), detail: String(reflecting: error),
            isTransient: isTransientFailure(error), isLockConflict: isLockConflictFailure(error))
        isUniqueViolation = isUniqueViolationFailure(error)
        refusal = Refusal(error)
    }

    /// Wraps a database error raised while applying `operation` to `table`.
    init(_ operation: TargetOperation, table: String, underlying error: any Error) {
        if let error = error as? TargetError {
            self = error
            return
        }
        let kind: Kind = isForeignKeyViolation(error)
            ? .foreignKey(operation, table: table) : .statement(operation, table: table)
        self.init(kind, underlying: error)
    }

    public var description: String {
        let because = cause.map { ": \($0)" } ?? ""
        switch kind {
        case .missingTable(let table):
            return "the target has no table \(table)\(because): create it (scimsync init-target prints the DDL) "
                + "or fix the target layout"
        case .missingColumn(let table, let column):
            return "target table \(table) has no column \(column): add it or fix the target layout's attributes"
        case .unsupported(let operation, let needs):
            return "cannot apply \(operation): the target layout has no \(needs); add it to the target layout"
        case .deactivateNeedsActiveColumn(let table):
            return "onDelete: deactivate needs a column of \(table) mapped to `active` in the target layout; "
                + "map one or use onDelete: delete"
        case .mapping(let operation, let table, let error):
            return "\(operation) on table \(table): \(error)"
        case .patch(let operation, let table, let status, let scimType):
            return "\(operation) on table \(table): the PATCH operations do not apply to the stored row "
                + "(SCIM status \(status)\(scimType.map { ", scimType \($0)" } ?? ""))"
        case .foreignKey(let operation, let table):
            return "\(operation) on table \(table) broke a foreign key\(because): the batch references a "
                + "user or group the target lacks, or deletes one still referenced; the batch was rolled back. "
                + "Check that the target's rows are changed only by scimsync"
        case .foreignKeyAtCommit:
            return "a deferred foreign key failed at COMMIT\(because): the batch references a user or group the "
                + "target lacks, or deletes one still referenced; the batch was rolled back. Check that the "
                + "target's rows are changed only by scimsync"
        case .statement(let operation, let table):
            return "\(operation) on table \(table) failed\(because); the batch was rolled back"
        case .catalog(let table):
            return "reading the target's catalog for table \(table) failed\(because)"
        case .transaction(let step):
            return "\(step) failed on the target\(because); the batch was rolled back"
        case .read(let table):
            return "reading table \(table) of the target failed\(because)"
        case .beforeCommit:
            return "the offset store could not record what the batch creates\(because); the batch was rolled back "
                + "on the target and is applied again"
        }
    }

    public var debugDescription: String {
        detail.map { "\(description). Detail: \($0)" } ?? description
    }
}

extension TargetError {
    /// The table the failing statement wrote, when the error names one.
    var table: String? {
        switch kind {
        case .mapping(_, let table, _), .patch(_, let table, _, _), .foreignKey(_, let table),
            .statement(_, let table):
            return table
        case .missingTable, .missingColumn, .unsupported, .deactivateNeedsActiveColumn, .foreignKeyAtCommit, .catalog,
            .transaction, .read, .beforeCommit:
            return nil
        }
    }

    /// Why the row of the failing operation was refused, when the failure is the row's own
    /// (its values, a unique value, a reference) rather than the connection's, a lock's or
    /// the layout's: those the batch can resolve or quarantine op by op.
    var rowRefusal: Refusal? {
        guard !isTransient, !isLockConflict else { return nil }
        switch kind {
        case .mapping(_, _, let error):
            // The mapper checks what it knows of the column before the database sees it.
            switch error {
            case .value(_, let conversion):
                switch conversion.reason {
                case .tooLong: return Refusal(.tooLong, column: conversion.column)
                case .notBoolean, .notInteger, .notDecimal, .notDateTime, .notUTF8, .notBase64, .notUUID,
                    .negativeForUnsigned, .unsupportedSQLValue, .unsupportedSCIMValue:
                    return Refusal(.wrongType, column: conversion.column)
                }
            case .missingID:
                return Refusal(.mapping(error.description))
            }
        case .patch(_, _, let status, let scimType): return Refusal(.patch(status: status, scimType: scimType))
        case .foreignKey, .statement, .foreignKeyAtCommit: return refusal
        case .transaction(let step): return step == "COMMIT" ? refusal : nil
        case .missingTable, .missingColumn, .unsupported, .deactivateNeedsActiveColumn, .catalog, .read, .beforeCommit:
            return nil
        }
    }
}

/// Whether a database error is a foreign key failure: MariaDB/MySQL errors 1216, 1217, 1451,
/// 1452 (ER_NO_REFERENCED_ROW, ER_ROW_IS_REFERENCED and their _2 forms), PostgreSQL SQLSTATE
/// 23503 (foreign_key_violation), SQLite's constraint failure "FOREIGN KEY constraint failed".
func isForeignKeyViolation(_ error: any Error) -> Bool {
    switch error {
    case let error as MariaDBError: [1216, 1217, 1451, 1452].contains(error.code)
    case let error as PostgresError: error.sqlState == "23503"
    case let error as SQLiteError: error.kind == .constraintViolation && error.message.contains("FOREIGN KEY")
    case let error as SQLServerError: isSQLServerForeignKeyViolation(error)
    default: false
    }
}

/// Whether a database error is a duplicate key: MariaDB/MySQL ER_DUP_ENTRY (1062),
/// PostgreSQL unique_violation (23505), SQLite "UNIQUE constraint failed" and its primary key
/// form.
func isUniqueViolationFailure(_ error: any Error) -> Bool {
    switch error {
    case let error as MariaDBError: error.code == 1062
    case let error as PostgresError: error.sqlState == "23505"
    case let error as SQLiteError:
        error.kind == .constraintViolation && (error.message.contains("UNIQUE") || error.message.contains("PRIMARY KEY"))
    case let error as SQLServerError: error.number == 2627 || error.number == 2601
    default: false
    }
}

/// Whether a database error may go away by itself: a lost or refused connection, a locked
/// SQLite file, or a PostgreSQL prepared statement the server no longer knows (SQLSTATE
/// 26000: a pooler moved the session; the next try sends the statement whole, see
/// ``SQLClients/PostgresStatementPreparation``).
func isTransientFailure(_ error: any Error) -> Bool {
    if let error = error as? PostgresError, error.sqlState == "26000" { return true }
    switch error {
    case let error as MariaDBError:
        if error.meansServerBusy { return true }
        switch error.kind {
        case .lostConnection, .cannotConnect: return true
        case .accessDenied, .permissionDenied, .unknownDatabase, .noSuchTable, .unknownColumn, .wrongParameterCount,
            .other:
            return false
        }
    case let error as PostgresError:
        switch error.kind {
        case .lostConnection, .cannotConnect: return true
        case .authenticationFailed, .permissionDenied, .unknownDatabase, .invalidSchema, .undefinedTable,
            .undefinedColumn, .other:
            return false
        }
    case let error as SQLiteError:
        return error.kind == .busy
    case let error as SQLServerError:
        return isSQLServerTransient(error)
    default:
        return false
    }
}

/// A deadlock or lock wait timeout: MariaDB/MySQL ER_LOCK_DEADLOCK (1213) and
/// ER_LOCK_WAIT_TIMEOUT (1205); PostgreSQL deadlock_detected (40P01) and lock_not_available
/// (55P03). ``SQLTarget/apply(_:)`` rolls back what the database did not.
func isLockConflictFailure(_ error: any Error) -> Bool {
    switch error {
    case let error as MariaDBError: error.code == 1213 || error.code == 1205
    case let error as PostgresError: error.sqlState == "40P01" || error.sqlState == "55P03"
    case let error as SQLServerError: isSQLServerLockConflict(error)
    default: false
    }
}

/// Whether an error from a database connection (or from opening one) may go away by itself:
/// a lost or refused connection, a locked SQLite file. The SCIM server answers those with 503.
public func isTransientDatabaseError(_ error: any Error) -> Bool {
    if let error = error as? TargetError { return error.isTransient }
    return isTransientFailure(error)
}

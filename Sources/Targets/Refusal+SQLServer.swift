import SQLServerClient

// SQL Server's errors about one row, by number ("Database engine events and errors"). Messages
// are read only for the column name, which comes before any value they quote.
extension Refusal {
    /// 2627 (PRIMARY KEY or UNIQUE constraint) and 2601 (unique index): a duplicate key;
    /// 2628 ("String or binary data would be truncated in table '…', column 'c'. Truncated
    /// value: …") and 8152 (the same before SQL Server 2019, without names); 515 ("Cannot
    /// insert the value NULL into column 'c', table '…'"); 547 (a FOREIGN KEY, REFERENCE or
    /// CHECK constraint conflict); conversion and overflow errors (245, 241, 242, 8114, 8115,
    /// 8169, 220, 232, 248, 517).
    static func sqlServer(_ error: SQLServerError) -> Refusal? {
        let message = error.message
        switch error.number {
        case 2627, 2601: return Refusal(.uniqueConflict)
        case 2628: return Refusal(.tooLong, column: Self.quotedName(in: message, after: "column '"))
        case 8152: return Refusal(.tooLong)
        case 515: return Refusal(.missingValue, column: Self.quotedName(in: message, after: "column '"))
        case 547:
            if message.contains("REFERENCE constraint") { return Refusal(.stillReferenced) }
            if message.contains("FOREIGN KEY constraint") { return Refusal(.foreignKey) }
            if message.contains("CHECK constraint") { return Refusal(.check) }
            return Refusal(.other(code: "SQL Server 547"))
        case 245, 241, 242, 8114, 8115, 8169, 220, 232, 248, 517: return Refusal(.wrongType)
        default: return nil
        }
    }

    /// The text after `opening` up to the next `'`.
    private static func quotedName(in message: String, after opening: String) -> String? {
        guard let start = message.range(of: opening)?.upperBound else { return nil }
        let name = message[start...].prefix { $0 != "'" }
        return name.isEmpty ? nil : String(name)
    }
}

/// SQL Server's foreign key failures: error 547 naming a FOREIGN KEY constraint (a missing
/// referenced row) or a REFERENCE constraint (a delete of a referenced row).
func isSQLServerForeignKeyViolation(_ error: SQLServerError) -> Bool {
    error.number == 547
        && (error.message.contains("FOREIGN KEY constraint") || error.message.contains("REFERENCE constraint"))
}

/// A deadlock victim (1205) or a lock request timeout (1222).
func isSQLServerLockConflict(_ error: SQLServerError) -> Bool {
    error.number == 1205 || error.number == 1222
}

/// A lost or refused connection, or a call that ran out of time or was stopped on request
/// (nothing was wrong with what it wrote).
func isSQLServerTransient(_ error: SQLServerError) -> Bool {
    switch error.kind {
    case .cannotConnect, .lostConnection, .timeout, .cancelled: return true
    case .loginFailed, .unknownDatabase, .permissionDenied, .invalidObject, .invalidColumn, .duplicateKey,
        .unsupportedValue, .other:
        return error.connectionBroken
    }
}

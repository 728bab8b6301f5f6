import CMariaDB
import Directory

/// One prepared statement (MYSQL_STMT), closed when released. Each run binds parameters,
/// executes and reads its whole result in the binary protocol, so the statement is ready to
/// run again afterwards (the connection's statement cache relies on that).
final class MariaDBStatement {
    private let handle: UnsafeMutablePointer<MYSQL_STMT>
    // The address only, not the connection: the connection's cache holds its statements, and a
    // reference back would keep both alive for ever.
    private let host: String
    private let port: Int

    init(connection: MariaDBConnection, sql: String) throws {
        guard let handle = mysql_stmt_init(connection.handle) else {
            throw connection.error(.prepare)
        }
        let status = sql.withCString { text in
            mysql_stmt_prepare(handle, text, UInt(sql.utf8.count))
        }
        if status != 0 {
            let error = MariaDBError(statement: handle, operation: .prepare, host: connection.host, port: connection.port)
            mysql_stmt_close(handle)
            throw error
        }
        self.handle = handle
        self.host = connection.host
        self.port = connection.port
    }

    deinit {
        mysql_stmt_close(handle)
    }

    private func error(_ operation: MariaDBError.Operation) -> MariaDBError {
        MariaDBError(statement: handle, operation: operation, host: host, port: port)
    }

    /// Binds `parameters`, executes and fetches every row.
    func run(_ parameters: [SQLValue]) throws -> [Row] {
        let expected = Int(mysql_stmt_param_count(handle))
        guard expected == parameters.count else {
            throw MariaDBError(
                kind: .wrongParameterCount(expected: expected, given: parameters.count),
                code: 0, sqlState: "HY000", message: "", operation: .bind
            )
        }
        // The parameter buffers are read by mysql_stmt_execute, so they live until it returns.
        let parameterStorage = BindStorage()
        if !parameters.isEmpty {
            let binds = parameterStorage.allocate(MYSQL_BIND.self, count: parameters.count)
            for (index, value) in parameters.enumerated() {
                MariaDBParameter.bind(value, to: &binds[index], storage: parameterStorage)
            }
            if mysql_stmt_bind_param(handle, binds) != 0 {
                throw error(.bind)
            }
        }
        let executed = withExtendedLifetime(parameterStorage) { mysql_stmt_execute(handle) }
        if executed != 0 {
            throw error(.execute)
        }
        return try fetchRows()
    }

    private func fetchRows() throws -> [Row] {
        // No metadata means the statement produced no result set (INSERT, UPDATE, DDL).
        guard let metadata = mysql_stmt_result_metadata(handle) else {
            if mysql_stmt_errno(handle) != 0 {
                throw error(.fetch)
            }
            return []
        }
        defer { mysql_free_result(metadata) }
        let count = Int(mysql_num_fields(metadata))
        guard count > 0, let fields = mysql_fetch_fields(metadata) else { return [] }

        let columns = (0..<count).map { MariaDBColumn(field: fields[$0]) }
        let names = columns.map(\.name)
        let storage = BindStorage()
        let binds = storage.allocate(MYSQL_BIND.self, count: count)
        let lengths = storage.allocate(UInt.self, count: count)
        let nulls = storage.allocate(my_bool.self, count: count)
        let errors = storage.allocate(my_bool.self, count: count)
        for (index, column) in columns.enumerated() {
            binds[index].length = lengths + index
            binds[index].is_null = nulls + index
            binds[index].error = errors + index
            column.prepareFixedBuffer(&binds[index], storage: storage)
        }
        if mysql_stmt_bind_result(handle, binds) != 0 {
            throw error(.fetch)
        }

        var rows: [Row] = []
        fetching: while true {
            switch mysql_stmt_fetch(handle) {
            // Variable-length columns are bound without a buffer, so a row with any of them
            // non-empty reports truncation; their bytes are fetched one column at a time below.
            case 0, MYSQL_DATA_TRUNCATED:
                break
            case MYSQL_NO_DATA:
                break fetching
            default:
                throw error(.fetch)
            }
            var values: [SQLValue] = []
            values.reserveCapacity(count)
            for (index, column) in columns.enumerated() {
                if nulls[index] != 0 {
                    values.append(.null)
                } else if column.isVariableLength {
                    let length = Int(lengths[index])
                    // Text straight into the string's own storage: one allocation, not two.
                    if let text = try column.value(fromText: { try fetchVariableText(column: index, length: length) }) {
                        values.append(text)
                    } else {
                        values.append(column.value(fromBytes: try fetchVariable(column: index, length: length)))
                    }
                } else {
                    values.append(column.value(fromFixedBuffer: binds[index].buffer))
                }
            }
            rows.append(Row(columns: names, values: values))
        }
        return withExtendedLifetime(storage) { rows }
    }

    /// Reads the whole value of a variable-length column of the current row.
    private func fetchVariable(column: Int, length: Int) throws -> [UInt8] {
        guard length > 0 else { return [] }
        return try [UInt8](unsafeUninitializedCapacity: length + 1) { buffer, initialized in
            initialized = try fetchColumn(column, length: length, into: buffer)
        }
    }

    /// Reads the whole value of a variable-length column of the current row as UTF-8 text
    /// (invalid bytes repaired).
    private func fetchVariableText(column: Int, length: Int) throws -> String {
        guard length > 0 else { return "" }
        return try String(unsafeUninitializedCapacity: length + 1) { buffer in
            try fetchColumn(column, length: length, into: buffer)
        }
    }

    /// Fetches `column` of the current row, `length` bytes, into `buffer` (at least one byte
    /// longer); returns how many bytes it wrote.
    private func fetchColumn(_ column: Int, length: Int, into buffer: UnsafeMutableBufferPointer<UInt8>) throws -> Int {
        var bind = MYSQL_BIND()
        var actualLength: UInt = 0
        var isNull: my_bool = 0
        var truncated: my_bool = 0
        // Connector/C writes a terminating NUL after the data when there is room: the extra
        // byte is that room, and is not counted.
        bind.buffer_type = MYSQL_TYPE_BLOB
        bind.buffer = UnsafeMutableRawPointer(buffer.baseAddress)
        bind.buffer_length = UInt(length + 1)
        let status = withUnsafeMutablePointer(to: &actualLength) { lengthPointer in
            withUnsafeMutablePointer(to: &isNull) { nullPointer in
                withUnsafeMutablePointer(to: &truncated) { errorPointer in
                    bind.length = lengthPointer
                    bind.is_null = nullPointer
                    bind.error = errorPointer
                    return mysql_stmt_fetch_column(handle, &bind, UInt32(column), 0)
                }
            }
        }
        if status != 0 { throw error(.fetch) }
        return min(Int(actualLength), length)
    }
}

@available(*, unavailable) extension MariaDBStatement: Sendable {}

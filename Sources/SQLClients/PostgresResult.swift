import CLibPQ
import Directory

/// One PGresult, cleared when released; turns an error status into a `PostgresError`.
final class PostgresResult {
    private let handle: OpaquePointer

    init(_ handle: OpaquePointer?, connection: PostgresConnection, operation: PostgresError.Operation) throws {
        // A nil result means libpq could not even build one (out of memory, connection gone).
        guard let handle else {
            throw connection.error(operation)
        }
        let status = PQresultStatus(handle)
        guard status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK || status == PGRES_EMPTY_QUERY else {
            let error = PostgresError(
                sqlState: Self.field(handle, scimsync_pg_diag_sqlstate()),
                message: Self.field(handle, scimsync_pg_diag_message_primary())
                    ?? String(cString: PQresultErrorMessage(handle)),
                operation: operation,
                connectionBroken: PQstatus(connection.handle) == CONNECTION_BAD,
                host: connection.host, port: connection.port
            )
            PQclear(handle)
            throw error
        }
        self.handle = handle
    }

    deinit {
        PQclear(handle)
    }

    private static func field(_ handle: OpaquePointer, _ code: Int32) -> String? {
        PQresultErrorField(handle, code).map { String(cString: $0) }
    }

    /// Every row, each value parsed according to its column's type.
    func rows() -> [Row] {
        let columnCount = Int(PQnfields(handle))
        let rowCount = Int(PQntuples(handle))
        guard columnCount > 0 else { return [] }
        let names = (0..<columnCount).map { String(cString: PQfname(handle, Int32($0))) }
        let types = (0..<columnCount).map { PQftype(handle, Int32($0)) }
        var rows: [Row] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<Int32(rowCount) {
            let values = (0..<columnCount).map { column -> SQLValue in
                let column = Int32(column)
                if PQgetisnull(handle, row, column) != 0 {
                    return .null
                }
                let text = UnsafeRawBufferPointer(
                    start: PQgetvalue(handle, row, column), count: Int(PQgetlength(handle, row, column))
                )
                return PostgresTextValue.parse(text, type: types[Int(column)])
            }
            rows.append(Row(columns: names, values: values))
        }
        return rows
    }
}

@available(*, unavailable) extension PostgresResult: Sendable {}

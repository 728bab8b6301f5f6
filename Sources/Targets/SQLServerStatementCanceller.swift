import SQLClients
import SQLServerClient

/// SQL Server: raises the connection's interrupt flag, which db-lib polls on the connection's
/// own thread while it waits for the server, and then sends the attention itself
/// (``SQLServerClient/SQLServerInterrupt``): db-lib's `dbcancel` is not safe from another
/// thread. A raised flag is dropped when the connection's next statement starts, so a cancel
/// for one request never stops the statements of the next (the pool asks for cancels only
/// while the request holds the connection).
struct SQLServerStatementCanceller: StatementCanceller {
    let interrupt: SQLServerInterrupt

    func cancel() {
        interrupt.request()
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CLibPQ
import CMariaDB
import GRDB

/// Stops, from another thread, the statement a connection is running: for a server whose
/// client left while its query ran. Each database has its own way; none of them touches the
/// connection object, which belongs to the thread running the statement.
public protocol StatementCanceller: Sendable {
    /// Asks the database to stop what the connection runs now. Without a running statement
    /// it does nothing. Blocks for one round trip to the server at most; a failure is
    /// ignored (the statement then ends by itself).
    func cancel()
}

/// MariaDB/MySQL: `KILL QUERY` on a second, short-lived connection ("KILL QUERY terminates
/// the statement the connection is currently executing, but leaves the connection itself
/// intact"). A user may kill its own connections' statements without the PROCESS privilege.
/// It keeps the login to open that connection; its description leaves the password out.
public struct MariaDBStatementCanceller: StatementCanceller, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    let host: String
    let port: Int
    let user: String
    let password: String
    let connectionID: UInt64

    /// - Parameters: the login of the connection to watch, and its `connectionID`.
    public init(host: String, port: Int, user: String, password: String, connectionID: UInt64) {
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.connectionID = connectionID
    }

    public var description: String { "KILL QUERY \(connectionID) as \(user)@\(host):\(port)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["connectionID": connectionID, "user": user, "host": host, "port": port])
    }

    public func cancel() {
        guard
            let connection = try? MariaDBConnection(
                host: host, port: port, user: user, password: password, connectTimeout: 2, readTimeout: 5,
                statementCacheCapacity: 0)
        else { return }
        _ = try? connection.execute("KILL QUERY \(connectionID)")
    }
}

/// PostgreSQL: libpq's `PQcancel` with the cancel key the connection was given at login.
/// "The PGcancel object is read-only as far as PQcancel is concerned, so it can also be
/// invoked from a thread that is separate from the one manipulating the PGconn object"
/// (libpq docs, "Canceling Queries in Progress"); it outlives the connection safely.
public final class PostgresStatementCanceller: StatementCanceller {
    // Read-only after init, as the quote above requires; freed once in deinit.
    nonisolated(unsafe) private let handle: OpaquePointer

    init?(connection: OpaquePointer) {
        guard let handle = PQgetCancel(connection) else { return nil }
        self.handle = handle
    }

    deinit {
        PQfreeCancel(handle)
    }

    public func cancel() {
        var message = [CChar](repeating: 0, count: 256)
        _ = PQcancel(handle, &message, Int32(message.count))
    }
}

/// SQLite: `sqlite3_interrupt`, through GRDB ("This method can be called from any thread").
struct SQLiteStatementCanceller: StatementCanceller {
    let queue: DatabaseQueue

    func cancel() {
        queue.interrupt()
    }
}

extension MariaDBConnection {
    /// The server's id of this connection (`CONNECTION_ID()`), which `KILL` names.
    public var connectionID: UInt64 {
        UInt64(mysql_thread_id(handle))
    }
}

extension PostgresConnection {
    /// Cancels this connection's running statement from another thread; nil when libpq
    /// could not make a cancel object (out of memory).
    public func statementCanceller() -> (any StatementCanceller)? {
        PostgresStatementCanceller(connection: handle)
    }
}

extension SQLiteDatabase {
    /// Interrupts this database's running statement from another thread.
    public func statementCanceller() -> any StatementCanceller {
        SQLiteStatementCanceller(queue: queue)
    }
}

import CFreeTDS
import Synchronization

/// Stops, from any thread, the statement a ``SQLServerConnection`` runs, without touching the
/// connection: db-lib's `dbcancel` may only be called by the thread using the DBPROCESS, so
/// another thread only raises this flag, and db-lib itself sends the attention (MS-TDS 2.2.1.7)
/// from the connection's own thread.
///
/// How it reaches the server: the connection installs `dbsetinterrupt(dbproc, chkintr,
/// hndlintr)`. While db-lib waits for the server, it polls the socket one second at a time
/// when an interrupt handler is installed ("If an interrupt handler is installed, we iterate
/// once per second", src/tds/net.c, tds_select) and calls chkintr after each second without
/// data, also while it waits for the first row (dbsqlexec, dbsqlok, dbresults and dbnextrow
/// all read through it). chkintr sees the flag; hndlintr answers INT_CANCEL; tds_select then
/// returns as on a timeout, and the error handler's INT_TIMEOUT to that SYBETIME makes libtds
/// send the attention and read on to the server's DONE with DONE_ATTN (src/tds/util.c,
/// tdserror: "if (rc == TDS_INT_TIMEOUT) { tds_send_cancel(tds); ...}"), so the call fails
/// with `.cancelled` and the connection stays usable. No query timeout is needed for the
/// polling; a cancel takes effect within about a second of silence from the server. While
/// the server streams rows without a pause of a second, chkintr is not called: such a
/// statement ends by itself.
///
/// A raised flag applies to the statement running or the next one to start on this
/// connection's thread: each statement lowers it when it starts (``SQLServerConnection/query(_:_:)``,
/// ``SQLServerConnection/execute(_:)``), so a cancel meant for one request is never taken by
/// a statement that its caller starts after it has stopped asking for cancels.
public final class SQLServerInterrupt: Sendable {
    private let requested = Atomic<Bool>(false)

    init() {}

    /// Asks db-lib to stop the running statement. Returns at once; safe from any thread.
    public func request() {
        requested.store(true, ordering: .sequentiallyConsistent)
    }

    /// Lowers the flag: a statement starts.
    func clear() {
        requested.store(false, ordering: .sequentiallyConsistent)
    }

    /// Whether a stop was asked for since the last ``clear()``; lowers the flag.
    func take() -> Bool {
        requested.exchange(false, ordering: .sequentiallyConsistent)
    }
}

/// chkintr (dbsetinterrupt): whether to interrupt the call db-lib is waiting in. At most once
/// per statement: a second SYBETIME in one call would close the connection
/// (``SQLServerMessages/answerTimeout()``), so a request repeated while db-lib waits for the
/// attention's acknowledgement is ignored.
let interruptCheck: DB_DBCHKINTR_FUNC = { dbproc in
    guard let collector = SQLServerMessages.collector(for: OpaquePointer(dbproc)), collector.interruptArmed,
        collector.interrupt?.take() == true
    else { return 0 }
    collector.interruptArmed = false
    collector.interrupted = true
    return 1
}

/// hndlintr (dbsetinterrupt): "INT_CANCEL: DB-Library sends an attention token to the server"
/// (as quoted in src/tds/net.c).
let interruptHandler: DB_DBHNDLINTR_FUNC = { _ in INT_CANCEL }

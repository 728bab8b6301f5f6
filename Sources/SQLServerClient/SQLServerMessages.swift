#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CFreeTDS

/// The errors db-lib reported for one connection since the last `reset()`.
///
/// db-lib reports server messages and its own errors through two process-wide callbacks
/// (dbmsghandle, dberrhandle), each told the DBPROCESS it is about. The callbacks find this
/// collector through the DBPROCESS's user data (dbsetuserdata), or, during dbopen, when the
/// DBPROCESS is not yet the caller's, through a thread-specific slot the opening thread sets.
/// A connection is used by one thread at a time and db-lib calls the handlers on the thread
/// making the call, so a collector is never touched by two threads at once.
final class SQLServerMessages {
    /// One error, from the server (number, state, severity) or from db-lib.
    struct Entry {
        var number: Int
        var state: Int
        var severity: Int
        var message: String
        var fromServer: Bool
    }

    private(set) var errors: [Entry] = []
    /// Whether dbopen is still opening the connection: a timeout then ends the attempt.
    var isOpening = false
    /// Timeouts since the last `reset()`.
    private var timeouts = 0
    /// The connection's interrupt flag, which chkintr reads (``interruptCheck``).
    var interrupt: SQLServerInterrupt?
    /// Whether the running statement may still be interrupted: once per statement.
    var interruptArmed = false
    /// Whether the interrupt stopped the running statement.
    var interrupted = false

    init() {}

    func reset() {
        errors.removeAll(keepingCapacity: true)
        timeouts = 0
        interruptArmed = false
        interrupted = false
    }

    /// A statement starts: a stop asked for before now is dropped, one asked for from now on
    /// interrupts it.
    func statementStarts() {
        reset()
        interrupt?.clear()
        interruptArmed = true
    }

    /// What the error handler answers to SYBETIME. The first time in a call, INT_TIMEOUT: db-lib
    /// sends an attention, waits for the server to acknowledge it, and the call returns FAIL with
    /// the connection usable ("INT_TIMEOUT: The db-lib function will cancel the operation and
    /// return FAIL. dbproc remains useable", src/dblib/dblib.c, dbperror). If the server does not
    /// acknowledge within another timeout, or while logging in, INT_CANCEL closes the connection.
    func answerTimeout() -> Int32 {
        timeouts += 1
        return isOpening || timeouts > 1 ? INT_CANCEL : INT_TIMEOUT
    }

    func record(_ entry: Entry) {
        errors.append(entry)
    }

    /// The error to report: the first server error, else the first db-lib error. Server errors
    /// say what went wrong; db-lib's that follow them are consequences (SYBESMSG, "check messages
    /// from the server").
    var primary: Entry? {
        errors.first(where: \.fromServer) ?? errors.first
    }

    /// Where the handlers record, for `dbproc`.
    static func collector(for dbproc: OpaquePointer?) -> SQLServerMessages? {
        if let dbproc, let data = dbgetuserdata(dbproc) {
            return Unmanaged<SQLServerMessages>.fromOpaque(UnsafeRawPointer(data)).takeUnretainedValue()
        }
        guard let slot = pthread_getspecific(FreeTDSLibrary.openingCollectorKey) else { return nil }
        return Unmanaged<SQLServerMessages>.fromOpaque(UnsafeRawPointer(slot)).takeUnretainedValue()
    }

    /// The pointer dbsetuserdata keeps; the connection holds the collector strongly for as long
    /// as its DBPROCESS lives.
    var userData: UnsafeMutablePointer<UInt8> {
        Unmanaged.passUnretained(self).toOpaque().assumingMemoryBound(to: UInt8.self)
    }
}

@available(*, unavailable) extension SQLServerMessages: Sendable {}

/// The server-message callback (dbmsghandle). Severity 10 and below are informational
/// ("Changed database context to ...", PRINT output): not errors, and nothing scimsync shows.
/// Nothing is printed: db-lib's own default would write to stderr.
let serverMessageHandler: MHANDLEFUNC = { dbproc, number, state, severity, text, _, _, _ in
    guard severity > 10, let collector = SQLServerMessages.collector(for: dbproc) else { return 0 }
    collector.record(
        .init(
            number: Int(number), state: Int(state), severity: Int(severity),
            message: text.map { String(cString: $0) } ?? "", fromServer: true
        )
    )
    // "The message handler must return 0" (db-lib reference, dbmsghandle).
    return 0
}

/// The db-lib error callback (dberrhandle). It answers INT_CANCEL, so the call that failed
/// returns FAIL and the caller throws, or for a timeout what `answerTimeout` says. It never
/// answers INT_EXIT, on which db-lib prints to stderr and ends the process (dbperror).
let libraryErrorHandler: EHANDLEFUNC = { dbproc, severity, number, _, text, _ in
    guard let collector = SQLServerMessages.collector(for: dbproc) else { return INT_CANCEL }
    if Int(number) != DBLibError.serverMessages {
        collector.record(
            .init(
                number: Int(number), state: 0, severity: Int(severity),
                message: text.map { String(cString: $0) } ?? "", fromServer: false
            )
        )
    }
    return Int(number) == DBLibError.timeout ? collector.answerTimeout() : INT_CANCEL
}

import CLibPQ
import Directory

extension PostgresConnection {
    /// The most bytes one `PQputCopyData` call sends; libpq takes an `int` length and buffers
    /// what it cannot send at once, so a bounded piece keeps its buffer small.
    static let copyPieceSize = 1 << 20

    /// Runs `statement`, a `COPY … FROM STDIN` in the text format, sending `data` (rows as
    /// ``BulkRowText`` writes them) through `PQputCopyData` and ending with `PQputCopyEnd`
    /// (PostgreSQL docs, libpq "Functions Associated with the COPY Command").
    ///
    /// - Throws: `PostgresError`: the statement's own error (a row the table refuses fails the
    ///   whole COPY, as one statement), or a connection error.
    public func copyIn(_ statement: String, data: [UInt8]) throws {
        try beginCopy(statement)
        let sent = sendCopyData(data)
        try endCopy(sent: sent)
    }

    /// Starts `statement`, a `COPY … FROM STDIN`: the connection then takes the rows, in as
    /// many ``sendCopyData(_:)`` calls as the caller likes, until ``endCopy(sent:)``, and
    /// nothing else. The server inserts the rows as they arrive, so a caller that prepares the
    /// next rows while it does keeps both busy.
    public func beginCopy(_ statement: String) throws {
        try readAnswersAhead()
        guard let started = PQexec(handle, statement) else { throw error(.execute) }
        guard PQresultStatus(started) == PGRES_COPY_IN else {
            // Not a COPY FROM STDIN, or refused: the result says why.
            _ = try PostgresResult(started, connection: self, operation: .execute)
            throw PostgresError(
                kind: .other, sqlState: nil, message: "not a COPY FROM STDIN statement", operation: .execute)
        }
        PQclear(started)
    }

    /// Sends rows of the COPY that ``beginCopy(_:)`` started; false when the connection is gone
    /// (``endCopy(sent:)`` then fails the COPY and says why).
    public func sendCopyData(_ data: [UInt8]) -> Bool {
        var sent = true
        data.withUnsafeBytes { bytes in
            var offset = 0
            while sent && offset < bytes.count {
                let count = min(Self.copyPieceSize, bytes.count - offset)
                let piece = (bytes.baseAddress! + offset).assumingMemoryBound(to: CChar.self)
                // 1: queued; -1: failed (the connection is gone). 0 only in nonblocking mode.
                sent = PQputCopyData(handle, piece, Int32(count)) == 1
                offset += count
            }
        }
        return sent
    }

    /// Ends the COPY that ``beginCopy(_:)`` started, and waits for its outcome. With `sent`
    /// false (a send failed, or the caller gives up the rows), the COPY fails instead of
    /// taking what was sent.
    ///
    /// - Throws: `PostgresError`: the statement's own error (a row the table refuses fails the
    ///   whole COPY, as one statement), or a connection error.
    public func endCopy(sent: Bool = true) throws {
        // An error message instead of nil makes the server fail the COPY.
        let ended = (sent ? PQputCopyEnd(handle, nil) : PQputCopyEnd(handle, "scimsync could not send the rows")) == 1
        // The COPY's outcome, then nil: every result must be read before the next command.
        var failure: (any Error)?
        while let result = PQgetResult(handle) {
            // Still copying: the end could not be sent (a broken connection); asking again
            // would return the same.
            if PQresultStatus(result) == PGRES_COPY_IN {
                PQclear(result)
                break
            }
            do {
                _ = try PostgresResult(result, connection: self, operation: .execute)
            } catch {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
        if !sent || !ended { throw error(.execute) }
    }
}

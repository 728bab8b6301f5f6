import CLibPQ
import Directory

/// A statement sent ahead (``PostgresConnection/sendAhead(_:_:prepared:tag:)``) failed: `tag`
/// is the one it was sent with, `error` the server's. Thrown by the next call that reads the
/// answers; the statements sent after it did not run.
public struct SentAheadError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public var tag: Int
    public var error: any Error

    public init(tag: Int, error: any Error) {
        self.tag = tag
        self.error = error
    }

    public var description: String { String(describing: error) }
    public var debugDescription: String { String(reflecting: error) }
}

/// What one message sent ahead will be answered with, in the order sent.
enum PostgresAnswerAhead {
    /// A statement prepared on the way (its name is known from now on, unless this fails).
    case prepare(sql: String)
    /// A statement the caller tagged.
    case statement(tag: Int)
}

extension PostgresConnection {
    /// Sends a statement whose rows are not needed without waiting for its answer: libpq's
    /// pipeline mode ("Pipeline Mode" in the libpq docs), so that a transaction's BEGIN, its
    /// statements and its COMMIT cross the network once instead of once each.
    ///
    /// The answers are read by the next call that waits for one (``query(_:_:)``,
    /// ``queryPrepared(_:_:)``, ``execute(_:)``, ``commitSendingAhead()``,
    /// ``rollbackSendingAhead()``, a COPY), which throws a ``SentAheadError`` carrying `tag`
    /// when one of these statements failed; the server skips the statements after a failure,
    /// up to the point where the answers are read.
    ///
    /// - Parameter prepared: whether the text recurs: it is prepared once per connection, as
    ///   ``queryPrepared(_:_:)`` does (its markers must be typed by the text).
    public func sendAhead(_ sql: String, _ parameters: [SQLValue], prepared: Bool, tag: Int) throws {
        if answersAhead.isEmpty, PQpipelineStatus(handle) == PQ_PIPELINE_OFF {
            guard PQenterPipelineMode(handle) == 1 else { throw error(.query) }
        }
        let storage = BindStorage()
        var sent: Int32
        if prepared, preparation.isOn,
            let name = try preparedName(for: sql, parameterCount: parameters.count)
        {
            let values = try Self.bind(parameters, in: storage).values
            // libpq copies the parameters into its output buffer before returning.
            sent = withExtendedLifetime(storage) {
                PQsendQueryPrepared(handle, name, Int32(parameters.count), values, nil, nil, 0)
            }
        } else {
            let (types, values) = try Self.bind(parameters, in: storage)
            sent = withExtendedLifetime(storage) {
                PQsendQueryParams(handle, sql, Int32(parameters.count), types, values, nil, nil, 0)
            }
        }
        guard sent == 1 else { throw error(.query) }
        answersAhead.append(.statement(tag: tag))
    }

    /// Whether statements were sent ahead whose answers are not read yet.
    public var hasAnswersAhead: Bool { !answersAhead.isEmpty }

    /// The name `sql` is prepared under, preparing it ahead when it is new; nil when the
    /// connection keeps as many statements as it may (the text is then sent whole).
    private func preparedName(for sql: String, parameterCount: Int) throws -> String? {
        guard let (name, isNew) = prepared.name(for: sql) else { return nil }
        guard isNew else { return name }
        guard PQsendPrepare(handle, name, sql, Int32(parameterCount), nil) == 1 else { throw error(.query) }
        prepared.names[sql] = name
        answersAhead.append(.prepare(sql: sql))
        return name
    }

    /// Reads every answer to what was sent ahead and leaves pipeline mode. The first failure is
    /// thrown as a ``SentAheadError`` (its tag the statement's) once all answers are read; a
    /// statement prepared on the way that did not run is forgotten, so that it is prepared
    /// again when it comes next.
    public func readAnswersAhead() throws {
        guard !answersAhead.isEmpty else { return }
        let answers = answersAhead
        answersAhead = []
        var failure: (index: Int, error: PostgresError)?
        var broken: PostgresError?
        if PQpipelineSync(handle) != 1 {
            broken = error(.query)
        } else {
            // Each statement's results end with a null; the Sync's own result ends them all.
            var index = 0
            while index <= answers.count {
                guard let result = PQgetResult(handle) else {
                    if PQstatus(handle) == CONNECTION_BAD {
                        broken = error(.query)
                        break
                    }
                    index += 1
                    continue
                }
                let status = PQresultStatus(result)
                if status == PGRES_PIPELINE_SYNC {
                    PQclear(result)
                    break
                }
                if status == PGRES_FATAL_ERROR, failure == nil {
                    do {
                        _ = try PostgresResult(result, connection: self, operation: .query)
                    } catch let error as PostgresError {
                        failure = (index, error)
                    } catch {}
                    // PostgresResult cleared the result when it threw.
                    continue
                }
                PQclear(result)
            }
        }
        if PQpipelineStatus(handle) != PQ_PIPELINE_OFF, PQexitPipelineMode(handle) != 1, broken == nil {
            broken = error(.query)
        }
        // What was prepared at or after the failure was skipped by the server.
        let skippedFrom = failure?.index ?? (broken == nil ? answers.count : 0)
        for answer in answers[skippedFrom...] {
            if case .prepare(let sql) = answer { prepared.names[sql] = nil }
        }
        if let failure {
            if failure.error.sqlState == "26000" {
                // The server does not know a statement prepared before (see queryPrepared).
                prepared.names = [:]
                preparation.turnOff()
            }
            // A failed prepare is its statement's failure: the statement comes right after it.
            let tag = answers[failure.index...].lazy.compactMap { answer -> Int? in
                if case .statement(let tag) = answer { tag } else { nil }
            }.first ?? -1
            throw SentAheadError(tag: tag, error: failure.error)
        }
        if let broken { throw broken }
    }

    /// Ends the transaction with COMMIT, sent with what was sent ahead when there is any, so
    /// that the whole transaction takes one round trip. A statement sent ahead that failed is
    /// thrown as a ``SentAheadError``, the COMMIT's own failure (a deferred foreign key) as
    /// the server's error.
    public func commitSendingAhead() throws {
        guard hasAnswersAhead else { return try execute("COMMIT") }
        try sendAhead("COMMIT", [], prepared: false, tag: Self.commitTag)
        do {
            try readAnswersAhead()
        } catch let failure as SentAheadError where failure.tag == Self.commitTag {
            throw failure.error
        }
    }

    /// Ends the transaction with ROLLBACK, dropping what was sent ahead (their answers are
    /// read, their errors ignored).
    public func rollbackSendingAhead() throws {
        // The transaction is rolled back anyway: what failed in it is not worth an error here.
        try? readAnswersAhead()
        try execute("ROLLBACK")
    }

    /// The tag of the COMMIT ``commitSendingAhead()`` sends.
    static let commitTag = Int.min
}

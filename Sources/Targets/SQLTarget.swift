import Directory
import SCIM
import SQLClients

/// A client database that scimsync keeps in step: it maps SCIM operations into the target's
/// own layout (DESIGN.md, "SQL target") and applies each batch in one transaction.
///
/// Every statement is idempotent, so a batch replayed after a crash (at-least-once delivery)
/// leaves the same rows: creates are upserts by id, deletes and member removals delete what
/// is present, member additions insert what is absent, patches and (de)activations set
/// values. Values are always bound as parameters; identifiers are the layout's validated
/// names, quoted by the ``SQLDialect`` with the catalog's spelling.
///
/// One per pipeline target; it owns its connection, so it is not Sendable.
public final class SQLTarget {
    public let dialect: SQLDialect
    public let layout: DirectoryLayout
    let connection: any TargetConnection
    let users: MappedTable
    let groups: MappedTable?
    let relation: TargetTable?
    /// What the SCIM server's reads build once per table instead of once per request.
    var queryCache = QueryCache()
    /// While an op-by-op pass must find deferred foreign key failures itself: the violations
    /// `PRAGMA foreign_key_check` listed when its transaction began (see `SQLTarget+OpByOp`).
    var deferredViolationBaseline: Int?
    /// The relation table's foreign keys, once read (``memberReferences()``).
    var memberReferenceCache: MemberReferenceCache?
    /// While a transaction's statements are sent ahead (``TargetConnection/sendsAhead``): what
    /// each one was, by its tag, so that a failure read at the next answer names it. Nil while
    /// every statement waits for its answer.
    var sentAhead: [SentAheadStatement]?
    /// While ``apply(_:beforeCommit:)`` runs: what must end before its COMMIT.
    private var commitGate: (@Sendable () throws -> Void)?
    /// Whether a NULL written to a NOT NULL column with a DEFAULT stores the default instead
    /// (the SCIM server's replacements and PATCH removals; see `SQLTarget+ColumnDefaults`).
    public var fillsColumnDefaults = false
    /// Why the first load's bulk path is off for this target (the server refused it), for the
    /// load to log once; nil while it is on.
    public internal(set) var bulkLoadRefusal: String?
    /// Stops this target's running statement from another thread (a SCIM request whose
    /// client left); nil when opened over a connection without one.
    public var statementCanceller: (any StatementCanceller)?

    /// Opens a target over `connection`, reading the column types of the layout's tables from
    /// the catalog once.
    ///
    /// - Throws: ``TargetError`` when a table or mapped column is missing.
    public init(connection: any TargetConnection, dialect: SQLDialect, layout: DirectoryLayout) throws(TargetError) {
        let schema = dialect.schema
        self.connection = connection
        self.dialect = dialect
        self.layout = layout
        var users = try MappedTable(
            mapper: layout.userMapper, extraColumns: layout.users.group.map { [$0] } ?? [], connection: connection,
            schema: schema)
        var groups: MappedTable?
        if let groupsTable = layout.groups, let mapper = layout.groupMapper {
            groups = try MappedTable(
                mapper: mapper, extraColumns: groupsTable.parent.map { [$0] } ?? [], connection: connection,
                schema: schema)
        }
        if case .mariaDB = dialect {
            users.hasOtherUniqueKey = Self.hasOtherUniqueKey(users.table.name, connection)
            if let name = groups?.table.name { groups?.hasOtherUniqueKey = Self.hasOtherUniqueKey(name, connection) }
        }
        self.users = users
        self.groups = groups
        if let membership = layout.membership {
            self.relation = try TargetTable(
                membership.table, columns: [membership.user, membership.group], connection: connection, schema: schema)
        } else {
            self.relation = nil
        }
    }

    /// Whether a MariaDB table has a UNIQUE key besides its primary key (true when the
    /// catalog cannot say).
    private static func hasOtherUniqueKey(_ table: String, _ connection: any TargetConnection) -> Bool {
        let sql = "SELECT COUNT(*) FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() "
            + "AND TABLE_NAME = ? AND NON_UNIQUE = 0 AND INDEX_NAME <> 'PRIMARY'"
        switch try? connection.query(sql, [.text(table)]).first?.values.first {
        case .int(let count)?: return count > 0
        case .uint(let count)?: return count > 0
        case .text(let text)?: return (Int(text) ?? 1) > 0
        default: return true
        }
    }

    /// A MariaDB/MySQL target whose tables live in the connection's database.
    public convenience init(mariaDB connection: MariaDBConnection, layout: DirectoryLayout) throws(TargetError) {
        try self.init(connection: connection, dialect: .mariaDB, layout: layout)
    }

    /// A PostgreSQL target whose tables live in `schema`.
    public convenience init(postgres connection: PostgresConnection, schema: String = "public", layout: DirectoryLayout)
        throws(TargetError)
    {
        try self.init(connection: connection, dialect: .postgres(schema: schema), layout: layout)
    }

    /// A SQL Server target whose tables live in `schema` of the connection's database.
    public convenience init(
        sqlServer connection: SQLServerTargetConnection, schema: String = "dbo", layout: DirectoryLayout
    ) throws(TargetError) {
        try self.init(connection: connection, dialect: .sqlServer(schema: schema), layout: layout)
    }

    /// A SQLite target.
    public convenience init(sqlite database: SQLiteDatabase, layout: DirectoryLayout) throws(TargetError) {
        try self.init(connection: database, dialect: .sqlite, layout: layout)
    }

    /// Checks that the layout supports the pipeline's delete policy: `deactivate` needs a
    /// users column mapped to `active`.
    public func validate(onDelete policy: DeletePolicy) throws(TargetError) {
        switch policy {
        case .delete:
            return
        case .deactivate:
            if users.activeColumn == nil {
                throw TargetError(.deactivateNeedsActiveColumn(table: users.table.name))
            }
        }
    }

    /// Applies one batch in one target transaction: BEGIN, the deferral of foreign keys where
    /// the database can defer them, the operations in the given order (``ResourceOp/ordered(_:)``
    /// arranges one that keeps foreign keys intact), COMMIT.
    ///
    /// Consecutive operations of one kind are combined into multi-row statements where that
    /// cannot change the outcome, in chunks of at most ``SQLDialect/maxRowsPerStatement`` rows
    /// within the dialect's parameter limit:
    /// - creates of one kind: one upsert (a repeated id starts a new statement);
    /// - patches of one kind: one `SELECT … WHERE id IN` reads every row (a repeated id starts
    ///   a new run, so that it reads the first patch's result), then one `UPDATE` per row
    ///   that changed, setting only its changed columns;
    /// - user deletes: one delete of their relation rows, then one of the users;
    /// - deactivations, and reactivations: one `UPDATE … WHERE id IN`;
    /// - member additions, and removals, in a relation table: one insert-if-absent, or one
    ///   delete of `(user, group)` pairs;
    /// - parent moves: one `UPDATE … SET parent = CASE id WHEN … END WHERE id IN` (a repeated
    ///   group starts a new run, so that the last move wins).
    ///
    /// Group deletes (a multi-row delete could remove a parent before its child, which InnoDB
    /// checks row by row) and `users.group` membership changes go one statement each.
    ///
    /// When the batch fails on something one of its rows caused (a value the target refuses,
    /// a reference to a user or group it lacks, a unique value that moves between rows of
    /// the batch), it is rolled back and applied again op by op (see `SQLTarget+OpByOp`):
    /// unique values moving between rows are resolved, operations naming a missing user or
    /// group come back in ``ApplyResult/parked``, refused rows in
    /// ``ApplyResult/quarantined``, and everything else applies. Only the batch that failed
    /// pays for the savepoints this takes.
    ///
    /// - Throws: ``TargetError`` after rolling back, for what no row caused (a lost
    ///   connection, a lock conflict, a layout the target does not support); the target is
    ///   then as before the call.
    @discardableResult
    public func apply(_ ops: [ResourceOp]) throws(TargetError) -> ApplyResult {
        var statements = 0
        do {
            return try applyAtOnce(ops, statements: &statements)
        } catch {
            guard error.rowRefusal != nil else { throw error }
        }
        do {
            return try applyOpByOp(ops, statements: statements)
        } catch {
            // SQLite cannot make a DEFERRABLE INITIALLY DEFERRED key immediate: a row that
            // fails one (a client's own table referencing a deleted user, say) passes every
            // statement and fails the COMMIT, whatever the order. Once more, checking the keys
            // after each step, so that the operation that fails one is found and set aside
            // instead of the batch failing for ever.
            guard error.kind == .foreignKeyAtCommit, case .sqlite = dialect else { throw error }
        }
        return try applyOpByOp(ops, statements: statements, checkingDeferredKeys: true)
    }

    /// ``apply(_:)``, whose COMMIT waits for `beforeCommit` (another write the batch depends
    /// on, run meanwhile): when that fails, the batch is rolled back and the failure thrown.
    public func apply(_ ops: [ResourceOp], beforeCommit: (@Sendable () throws -> Void)?) throws(TargetError) -> ApplyResult {
        commitGate = beforeCommit
        defer { commitGate = nil }
        return try apply(ops)
    }

    /// Applies `ops` whole or not at all, as ``apply(_:)`` did before it learnt to set rows
    /// aside: the first failure rolls the batch back and is thrown. For a write whose client
    /// must hear of a refusal (`scimsync serve` answers 409 or 400), not for a pipeline.
    ///
    /// - Throws: ``TargetError`` after rolling back; the target is then as before the call.
    @discardableResult
    public func applyAllOrNothing(_ ops: [ResourceOp]) throws(TargetError) -> ApplyResult {
        var statements = 0
        return try applyAtOnce(ops, statements: &statements)
    }

    /// The whole batch in one go, as combined statements; `statements` counts what was sent
    /// even when it fails.
    private func applyAtOnce(_ ops: [ResourceOp], statements: inout Int) throws(TargetError) -> ApplyResult {
        var result = ApplyResult()
        defer { statements = result.statements }
        // No statement of the batch needs its answer before the next (a patch's read aside),
        // so PostgreSQL takes BEGIN, the statements and COMMIT in one round trip.
        try inTransaction(sendingAhead: true) { () throws(TargetError) in
            try deferForeignKeys()
            try applyRuns(ops, result: &result)
        }
        return result
    }

    /// `ops` in the open transaction, a run of combinable operations at a time.
    func applyRuns(_ ops: [ResourceOp], result: inout ApplyResult) throws(TargetError) {
        var start = 0
        while start < ops.count {
            let end = runEnd(ops, from: start)
            try applyRun(ops[start..<end], result: &result)
            start = end
        }
    }

    /// Defers the foreign keys to COMMIT in the open transaction, where the dialect can.
    func deferForeignKeys() throws(TargetError) {
        guard let deferral = dialect.deferForeignKeysStatement else { return }
        let step = SentAheadStatement.transaction(step: "deferring foreign keys")
        do {
            if let tag = sendingAhead(step) {
                try connection.sendAhead(deferral, [], recurs: false, tag: tag)
            } else {
                try connection.run(deferral)
            }
        } catch {
            throw targetError(error, else: step)
        }
    }

    /// BEGIN, `body`, COMMIT. A failure rolls back and is thrown (the first error is the one
    /// worth reporting: a failing ROLLBACK adds nothing); a COMMIT refused by a deferred
    /// foreign key as ``TargetError/Kind/foreignKeyAtCommit``.
    ///
    /// With `sendingAhead`, on a connection that ``TargetConnection/sendsAhead``, BEGIN and the
    /// statements whose rows are not needed (``execute(_:_:_:_:)``) go without waiting for
    /// their answers, and COMMIT with them: a statement's failure then surfaces at the next one
    /// that waits, or at COMMIT, and is thrown as the statement's own.
    func inTransaction(sendingAhead: Bool = false, _ body: () throws(TargetError) -> Void) throws(TargetError) {
        let begin = SentAheadStatement.transaction(step: "BEGIN")
        do {
            if sendingAhead, connection.sendsAhead {
                sentAhead = [begin]
                try connection.sendAhead("BEGIN", [], recurs: false, tag: 0)
            } else {
                try connection.begin()
            }
        } catch {
            sentAhead = nil
            throw TargetError(.transaction(step: "BEGIN"), underlying: error)
        }
        defer { sentAhead = nil }
        do throws(TargetError) {
            try body()
        } catch {
            try? connection.rollback()
            throw error
        }
        try commitOrRollBack(else: begin)
    }

    /// COMMIT of the open transaction; when it fails, a ROLLBACK and the failure: a deferred
    /// foreign key as ``TargetError/Kind/foreignKeyAtCommit``, a statement sent ahead as that
    /// statement's (`begin` when it names none).
    func commitOrRollBack(else begin: SentAheadStatement) throws(TargetError) {
        do {
            try commitGate?()
        } catch {
            try? connection.rollback()
            throw TargetError(.beforeCommit, underlying: error)
        }
        do {
            try connection.commit()
        } catch {
            // SQLite keeps the transaction open when COMMIT fails on a deferred foreign key;
            // PostgreSQL has ended it already.
            try? connection.rollback()
            if error is SentAheadError { throw targetError(error, else: begin) }
            let kind: TargetError.Kind =
                isForeignKeyViolation(error) ? .foreignKeyAtCommit : .transaction(step: "COMMIT")
            throw TargetError(kind, underlying: error)
        }
    }

    /// The tag for `statement` when statements are being sent ahead (it is then recorded under
    /// it), nil when they run one by one.
    private func sendingAhead(_ statement: SentAheadStatement) -> Int? {
        guard sentAhead != nil else { return nil }
        sentAhead?.append(statement)
        return (sentAhead?.count ?? 1) - 1
    }

    /// `error` as a ``TargetError``: a statement sent ahead names the statement it was sent
    /// for, any other error `statement`.
    func targetError(_ error: any Error, else statement: SentAheadStatement) -> TargetError {
        var failed = statement
        var underlying = error
        if let ahead = error as? SentAheadError {
            underlying = ahead.error
            if let sent = sentAhead, sent.indices.contains(ahead.tag) { failed = sent[ahead.tag] }
        }
        switch failed {
        case .transaction(let step): return TargetError(.transaction(step: step), underlying: underlying)
        case .statement(let kind, let table): return TargetError(kind, table: table, underlying: underlying)
        }
    }

    // MARK: Runs

    /// Where the run of operations combinable with `ops[start]` ends.
    func runEnd(_ ops: [ResourceOp], from start: Int) -> Int {
        let kind = TargetOperation(ops[start])
        guard isCombinable(kind) else { return start + 1 }
        var ids: Set<String> = []
        var end = start
        scan: while end < ops.count, TargetOperation(ops[end]) == kind {
            // Upserts may not touch one row twice in one statement (PostgreSQL refuses), and a
            // second patch of a row must read what the first one wrote.
            switch ops[end] {
            case .create(_, let resource):
                guard ids.insert(resource.id ?? "").inserted else { break scan }
            case .patch(_, let id, _), .moveParent(let id, _):
                guard ids.insert(id).inserted else { break scan }
            case .delete, .deactivate, .reactivate, .addMember, .removeMember:
                break
            }
            end += 1
        }
        return end
    }

    private func isCombinable(_ kind: TargetOperation) -> Bool {
        switch kind {
        case .createUser, .createGroup, .patchUser, .patchGroup, .deleteUser, .deactivate, .reactivate: true
        case .addMember, .removeMember: relation != nil
        // Moves only change the parent column, never an id: every parent a move names exists
        // before the statement or not at all, whatever order InnoDB checks its rows in.
        case .moveParent: true
        case .deleteGroup: false
        }
    }

    func applyRun(_ run: ArraySlice<ResourceOp>, result: inout ApplyResult) throws(TargetError) {
        guard let first = run.first else { return }
        let kind = TargetOperation(first)
        // Patches of rows the target lacks are quarantined, not applied.
        let refusedBefore = result.quarantined.count
        switch first {
        case .create(let resourceKind, _):
            let resources = run.compactMap { op -> SCIMResource? in
                if case .create(_, let resource) = op { resource } else { nil }
            }
            try create(resources, table: try mappedTable(resourceKind, kind), kind: kind, result: &result)
        case .patch(let resourceKind, _, _):
            let patches = run.compactMap { op -> (id: String, operations: [PatchOperation])? in
                if case .patch(_, let id, let operations) = op { (id, operations) } else { nil }
            }
            try patch(patches, table: try mappedTable(resourceKind, kind), kind: kind, result: &result)
        case .delete(.user, _):
            try deleteUsers(run.compactMap(\.subjectID), result: &result)
        case .delete(.group, let id):
            try deleteGroup(id, result: &result)
        case .deactivate, .reactivate:
            try setActive(kind == .reactivate, userIDs: run.compactMap(\.subjectID), kind: kind, result: &result)
        case .addMember, .removeMember:
            let pairs = run.compactMap(\.membershipPair)
            try changeMembership(add: kind == .addMember, pairs, kind: kind, result: &result)
        case .moveParent:
            let moves = run.compactMap { op -> (groupID: String, parentID: String?)? in
                if case .moveParent(let group, let parent) = op { (group, parent) } else { nil }
            }
            try moveParents(moves, result: &result)
        }
        result.applied[kind, default: 0] += run.count - (result.quarantined.count - refusedBefore)
    }

    func mappedTable(_ resourceKind: ResourceKind, _ kind: TargetOperation) throws(TargetError) -> MappedTable {
        switch resourceKind {
        case .user: return users
        case .group:
            guard let groups else { throw TargetError(.unsupported(kind, needs: "groups table")) }
            return groups
        }
    }

    // MARK: Statements

    /// Runs a statement whose rows are not needed: sent ahead while the transaction sends
    /// ahead (``inTransaction(sendingAhead:_:)``).
    func execute(
        _ statement: SQLStatement, _ kind: TargetOperation, _ table: String, _ result: inout ApplyResult
    ) throws(TargetError) {
        let sent = SentAheadStatement.statement(kind, table: table)
        guard let tag = sendingAhead(sent) else {
            _ = try query(statement, kind, table, &result)
            return
        }
        result.statements += 1
        do {
            try connection.sendAhead(statement.sql, statement.parameters, recurs: statement.recurs, tag: tag)
        } catch {
            throw targetError(error, else: sent)
        }
    }

    func query(
        _ statement: SQLStatement, _ kind: TargetOperation, _ table: String, _ result: inout ApplyResult
    ) throws(TargetError) -> [Row] {
        result.statements += 1
        do {
            return statement.recurs
                ? try connection.queryPrepared(statement.sql, statement.parameters)
                : try connection.query(statement.sql, statement.parameters)
        } catch {
            throw targetError(error, else: .statement(kind, table: table))
        }
    }

    /// Runs a mapping step, turning its error into a ``TargetError`` naming the operation.
    func mapping<T>(_ kind: TargetOperation, _ table: String, _ body: () throws(RowMappingError) -> T)
        throws(TargetError) -> T
    {
        do {
            return try body()
        } catch {
            throw TargetError(.mapping(kind, table: table, error))
        }
    }
}

extension ResourceOp {
    /// The user or group id a delete or (de)activation names.
    var subjectID: String? {
        switch self {
        case .delete(_, let id), .deactivate(let id), .reactivate(let id): id
        case .create, .patch, .addMember, .removeMember, .moveParent: nil
        }
    }

    /// The (user, group) a membership change names.
    var membershipPair: Membership? {
        switch self {
        case .addMember(let group, let user), .removeMember(let group, let user):
            Membership(groupID: group, userID: user)
        case .create, .patch, .delete, .deactivate, .reactivate, .moveParent: nil
        }
    }
}

/// What a statement sent ahead was (``SQLTarget/sentAhead``).
enum SentAheadStatement {
    case transaction(step: String)
    case statement(TargetOperation, table: String)
}

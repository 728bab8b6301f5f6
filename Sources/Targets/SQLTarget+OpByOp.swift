import Directory
import SCIM

// The second way of applying a batch, taken only after the whole of it failed once on
// something one of its rows caused: op by op, each under a savepoint, so that an operation
// the target refuses is set aside and everything else still applies (DESIGN.md, "Rules the
// stream keeps": "an operation that cannot apply yet … is parked …; a row the target refuses
// is quarantined with its key; neither stops the pipeline").
//
// - A unique value that moves between rows of the batch (two users swapping logins through a
//   temporary value, which coalescing folds into A→b, B→a) fails whatever the order: such
//   operations wait and are retried after the others, in rounds; when a round frees nothing,
//   the rows they rewrite are moved out of each other's way (their changing columns set to
//   NULL, or to a placeholder unique per row where NULL is refused) and then written with
//   their final values. What still conflicts then holds a value no operation of the batch
//   frees: it is quarantined, and the rest is written again without it.
// - A membership or parent move naming a user or group the target does not have is parked.
// - Any other refusal of a row (too long, NOT NULL, a type, a CHECK) quarantines that row.
//
// Operations on the same user, group or membership keep their order: one that waits holds
// back every later one that touches what it touches.
extension SQLTarget {
    /// Applies `ops` op by op in one transaction after ``apply(_:)`` failed on `failure`;
    /// `statements` counts what the failed attempt sent.
    /// - Parameter checkingDeferredKeys: after each step, compare SQLite's foreign key check
    ///   with the one the transaction began with, and refuse the step that added a failure
    ///   (a scan of the tables per step: only for a batch whose COMMIT failed on a deferred
    ///   key).
    func applyOpByOp(_ ops: [ResourceOp], statements: Int, checkingDeferredKeys: Bool = false) throws(TargetError)
        -> ApplyResult
    {
        var state = OpByOpState()
        state.result.statements = statements
        state.result.resolvedOpByOp = true
        defer { deferredViolationBaseline = nil }
        try inTransaction { () throws(TargetError) in
            if checkingDeferredKeys { deferredViolationBaseline = try deferredViolations() }
            // Foreign keys are checked at each statement here, so that a refusal names its
            // operation. PostgreSQL: "SET CONSTRAINTS ALL IMMEDIATE" makes every DEFERRABLE
            // constraint immediate for the transaction; InnoDB always checks at once; SQLite
            // does too, except for keys declared DEFERRABLE INITIALLY DEFERRED, which only
            // `checkingDeferredKeys` finds.
            if case .postgres = dialect {
                do {
                    try connection.run("SET CONSTRAINTS ALL IMMEDIATE")
                } catch {
                    throw TargetError(.transaction(step: "making foreign keys immediate"), underlying: error)
                }
            }
            var start = 0
            while start < ops.count {
                let end = runEnd(ops, from: start)
                try applyRunOpByOp(ops[start..<end], &state)
                start = end
            }
            try resolvePending(&state)
        }
        return state.result
    }

    /// One run of combinable operations: those not held back by a waiting operation go as one
    /// statement under a savepoint; when that fails, each half again, down to single
    /// operations, so that one refused row among a thousand costs some twenty attempts
    /// rather than a thousand.
    private func applyRunOpByOp(_ run: ArraySlice<ResourceOp>, _ state: inout OpByOpState) throws(TargetError) {
        var free: [ResourceOp] = []
        for op in run {
            if state.isHeldBack(op) {
                state.wait(op)
            } else {
                free.append(op)
            }
        }
        guard !free.isEmpty else { return }
        if free.count == 1 {
            switch try attempt(free[0], &state) {
            case .applied, .parked, .quarantined: break
            case .uniqueConflict: state.wait(free[0], conflicted: true)
            }
            return
        }
        var scratch = state.result
        let applied = try underSavepoint { () throws(TargetError) -> Bool in
            try applyRun(free[...], result: &scratch)
            try checkDeferredKeys()
            return true
        }
        state.result.statements = scratch.statements
        if applied {
            state.result = scratch
            for op in free { state.dropParked(madeObsoleteBy: op, self) }
            return
        }
        let middle = free.count / 2
        try applyRunOpByOp(free[..<middle], &state)
        try applyRunOpByOp(free[middle...], &state)
    }

    /// Retries the waiting operations in rounds until none is left; breaks unique cycles when
    /// a round frees nothing.
    private func resolvePending(_ state: inout OpByOpState) throws(TargetError) {
        while !state.pending.isEmpty {
            var progress = false
            let waiting = state.pending
            state.pending.removeAll()
            for entry in waiting {
                if state.isHeldBack(entry.op) {
                    state.wait(entry.op)
                    continue
                }
                switch try attempt(entry.op, &state) {
                case .applied, .parked, .quarantined: progress = true
                case .uniqueConflict: state.wait(entry.op, conflicted: true)
                }
            }
            if !progress {
                try breakUniqueCycle(&state)
            }
        }
    }

    /// Writes the operations that wait on each other's unique values: under one savepoint,
    /// moves their rows' changing columns out of the way, then writes the final values in
    /// rounds. Those that still conflict are quarantined and the savepoint rolled back; the
    /// others wait again and are retried without them.
    private func breakUniqueCycle(_ state: inout OpByOpState) throws(TargetError) {
        let candidates = state.pending.filter { $0.conflicted && !state.isHeldBack($0.op, before: $0) }.map(\.op)
        guard !candidates.isEmpty else {
            // Cannot happen: the first waiting operation is held back by nothing, and it
            // waits only because it conflicted. Quarantining it keeps the loop finite.
            let first = state.pending.removeFirst()
            state.quarantine(first.op, table: tableName(first.op), Refusal(.uniqueConflict))
            return
        }
        let candidateSet = Set(candidates)
        state.pending.removeAll { candidateSet.contains($0.op) }
        var writes: [(op: ResourceOp, write: RowWrite)] = []
        for op in candidates {
            do {
                writes.append((op, try finalWrite(op, &state.result) ?? RowWrite(table: tableName(op), statement: nil)))
            } catch {
                guard let refusal = error.rowRefusal else { throw error }
                state.quarantine(op, table: error.table ?? tableName(op), refusal)
            }
        }
        var stuck: [ResourceOp] = []
        var result = state.result
        let allWritten = try underSavepoint(named: "scimsync_unique") { () throws(TargetError) -> Bool in
            for entry in writes {
                try vacate(entry.write, TargetOperation(entry.op), &result)
            }
            var remaining = writes.filter { $0.write.statement != nil }
            while !remaining.isEmpty {
                var next: [(op: ResourceOp, write: RowWrite)] = []
                for entry in remaining {
                    guard let statement = entry.write.statement else { continue }
                    let written = try underSavepoint { () throws(TargetError) -> Bool in
                        try execute(statement, TargetOperation(entry.op), entry.write.table, &result)
                        return true
                    }
                    if !written { next.append(entry) }
                }
                if next.count == remaining.count { break }
                remaining = next
            }
            stuck = remaining.map(\.op)
            return stuck.isEmpty
        }
        state.result.statements = result.statements
        if allWritten {
            for entry in writes {
                state.result.applied[TargetOperation(entry.op), default: 0] += 1
                state.dropParked(madeObsoleteBy: entry.op, self)
            }
            return
        }
        // Rolled back: what still conflicted holds a value no operation of the batch frees.
        // The others wait again, in their order, and are retried without it.
        if stuck.isEmpty {
            // The writes failed as a whole on something no single one names: none of them
            // can be told apart, so all are set aside rather than tried forever.
            stuck = writes.map(\.op)
        }
        let stuckSet = Set(stuck)
        for op in stuck {
            state.quarantine(op, table: tableName(op), Refusal(.uniqueConflict))
        }
        for entry in writes where !stuckSet.contains(entry.op) {
            state.pending.append(PendingOp(op: entry.op, conflicted: false))
        }
        state.pending.sort { state.order[$0.op, default: 0] < state.order[$1.op, default: 0] }
    }

    // MARK: One operation

    enum Outcome {
        case applied, parked, quarantined, uniqueConflict
    }

    /// Applies one operation under a savepoint; parks it when it names a user or group the
    /// target lacks, quarantines it when the target refuses its row.
    private func attempt(_ op: ResourceOp, _ state: inout OpByOpState) throws(TargetError) -> Outcome {
        if let missing = try missingReference(op, &state.result) {
            state.dropParked(madeObsoleteBy: op, self)
            state.result.parked.append(ParkedOp(op: op, key: parkingKey(op), waitingFor: missing))
            return .parked
        }
        var scratch = state.result
        var failure: TargetError?
        let applied = try underSavepoint { () throws(TargetError) -> Bool in
            do throws(TargetError) {
                try applyRun([op][...], result: &scratch)
                try checkDeferredKeys()
                return true
            } catch {
                failure = error
                throw error
            }
        }
        state.result.statements = scratch.statements
        if applied {
            state.result = scratch
            state.dropParked(madeObsoleteBy: op, self)
            return .applied
        }
        let refusal = failure?.rowRefusal ?? Refusal(.other(code: "unknown"))
        if refusal.reason == .uniqueConflict { return .uniqueConflict }
        state.dropParked(madeObsoleteBy: op, self)
        state.quarantine(op, table: failure?.table ?? tableName(op), refusal)
        return .quarantined
    }

    /// Runs `body` under a savepoint: true when it returned true (savepoint released), false
    /// when it returned false or failed on something its rows caused (rolled back to the
    /// savepoint). Any other failure (a lost connection, a lock conflict) is thrown: the
    /// whole batch goes back.
    private func underSavepoint(named name: String = "scimsync_op", _ body: () throws(TargetError) -> Bool)
        throws(TargetError) -> Bool
    {
        let (save, rollback, release) = savepointStatements(name)
        try savepointStep(save)
        let succeeded: Bool
        do {
            succeeded = try body()
        } catch {
            try savepointStep(rollback)
            if let release { try savepointStep(release) }
            guard error.rowRefusal != nil else { throw error }
            return false
        }
        if !succeeded {
            try savepointStep(rollback)
        }
        if let release { try savepointStep(release) }
        return succeeded
    }

    /// How the dialect sets a savepoint, rolls back to it and releases it. SQL Server spells
    /// them `SAVE TRANSACTION` and `ROLLBACK TRANSACTION name`, and has no release (a
    /// savepoint lasts until the transaction ends; "SAVE TRANSACTION (Transact-SQL)").
    private func savepointStatements(_ name: String) -> (save: String, rollback: String, release: String?) {
        switch dialect {
        case .mariaDB, .postgres, .sqlite:
            ("SAVEPOINT \(name)", "ROLLBACK TO SAVEPOINT \(name)", "RELEASE SAVEPOINT \(name)")
        case .sqlServer:
            ("SAVE TRANSACTION \(name)", "ROLLBACK TRANSACTION \(name)", nil)
        }
    }

    /// Throws a foreign key refusal when the step just taken added a failure of a deferred
    /// key (only while ``deferredViolationBaseline`` is set).
    private func checkDeferredKeys() throws(TargetError) {
        guard let baseline = deferredViolationBaseline, try deferredViolations() > baseline else { return }
        var error = TargetError(
            .foreignKeyAtCommit,
            cause: "a foreign key the target checks at COMMIT (DEFERRABLE INITIALLY DEFERRED) fails: a row references "
                + "the resource this operation removes, or one it lacks")
        error.refusal = Refusal(.foreignKey)
        throw error
    }

    /// How many rows fail a foreign key now (SQLite's `PRAGMA foreign_key_check`: every key,
    /// deferred or not).
    private func deferredViolations() throws(TargetError) -> Int {
        do {
            return try connection.query("PRAGMA foreign_key_check", []).count
        } catch {
            throw TargetError(.transaction(step: "PRAGMA foreign_key_check"), underlying: error)
        }
    }

    private func savepointStep(_ sql: String) throws(TargetError) {
        do {
            try connection.run(sql)
        } catch {
            throw TargetError(.transaction(step: sql), underlying: error)
        }
    }

    // MARK: References

    /// The first user or group `op` names that the target does not have: the group and user
    /// of a membership addition, the group and new parent of a parent move.
    private func missingReference(_ op: ResourceOp, _ result: inout ApplyResult) throws(TargetError) -> ResourceRef? {
        let references: [ResourceRef]
        switch op {
        case .addMember(let group, let user): references = [ResourceRef(.group, group), ResourceRef(.user, user)]
        case .moveParent(let group, let parent):
            references = [ResourceRef(.group, group)] + (parent.map { [ResourceRef(.group, $0)] } ?? [])
        case .create, .patch, .delete, .deactivate, .reactivate, .removeMember: return nil
        }
        for reference in references where try !exists(reference, TargetOperation(op), &result) {
            return reference
        }
        return nil
    }

    private func exists(_ reference: ResourceRef, _ kind: TargetOperation, _ result: inout ApplyResult)
        throws(TargetError) -> Bool
    {
        let table: MappedTable
        switch reference.kind {
        case .user: table = users
        case .group:
            // Without a groups table a group is only a value in a column: nothing to wait for.
            guard let groups else { return true }
            table = groups
        }
        let name = table.table.name
        let id = try mapping(kind, name) { () throws(RowMappingError) in try table.idValue(reference.id) }
        let statement = dialect.select([table.idColumn], from: name, where: table.idColumn, in: [id])
        return try !query(statement, kind, name, &result).isEmpty
    }

    // MARK: Unique cycles

    /// The final write of a create or patch that waits on a unique value, worked out from the
    /// stored row before any row is moved out of the way; nil when a patch finds no row.
    private func finalWrite(_ op: ResourceOp, _ result: inout ApplyResult) throws(TargetError) -> RowWrite? {
        let kind = TargetOperation(op)
        switch op {
        case .create(let resourceKind, let resource):
            let table = try mappedTable(resourceKind, kind)
            let name = table.table.name
            let mapped = try mapping(kind, name) { () throws(RowMappingError) in
                try table.mapper.row(from: resource, columnTypes: table.rowColumnTypes)
            }
            let row = try withColumnDefaults(mapped, table: table, kind: kind, result: &result)
            let id = try mapping(kind, name) { () throws(RowMappingError) in try table.idValue(resource.id ?? "") }
            guard let stored = try storedRow(id, table: table, kind: kind, &result) else {
                // A plain INSERT: the row is new, and any clash must fail it.
                let statement = dialect.insert(table: name, columns: row.columns.map(table.table.column), rows: [row.values])
                return RowWrite(table: name, statement: statement)
            }
            let before = try mapping(kind, name) { () throws(RowMappingError) in
                try table.mapper.row(from: try table.mapper.resource(from: stored), columnTypes: table.rowColumnTypes)
            }
            return rowWrite(changedColumns(from: before, to: row, table: table), id: id, table: table)
        case .patch(let resourceKind, let id, let operations):
            let table = try mappedTable(resourceKind, kind)
            let idValue = try mapping(kind, table.table.name) { () throws(RowMappingError) in try table.idValue(id) }
            guard let stored = try storedRow(idValue, table: table, kind: kind, &result) else { return nil }
            let assignments = try patchAssignments(to: stored, operations, table: table, kind: kind, result: &result)
            return rowWrite(assignments, id: idValue, table: table)
        case .delete, .deactivate, .reactivate, .addMember, .removeMember, .moveParent:
            // These write no unique value of their own: they wait only behind another.
            return RowWrite(table: tableName(op), statement: nil)
        }
    }

    private func rowWrite(_ assignments: [(column: String, value: SQLValue)], id: SQLValue, table: MappedTable)
        -> RowWrite
    {
        let name = table.table.name
        guard !assignments.isEmpty else { return RowWrite(table: name, statement: nil) }
        return RowWrite(
            table: name, statement: dialect.update(name, set: assignments, where: table.idColumn, in: [id]),
            vacate: (idColumn: table.idColumn, id: id, columns: assignments.map(\.column)))
    }

    private func storedRow(_ id: SQLValue, table: MappedTable, kind: TargetOperation, _ result: inout ApplyResult)
        throws(TargetError) -> Row?
    {
        let name = table.table.name
        let read = dialect.select(table.columns.map(table.table.column), from: name, where: table.idColumn, in: [id])
        return try query(read, kind, name, &result).first
    }

    /// Moves a row's changing columns out of the way of the other writes: NULL where the
    /// column takes it (UNIQUE keys take any number of NULLs in MariaDB, PostgreSQL and
    /// SQLite), else a placeholder made from the row's id; a column that takes neither is
    /// left as it is. The final write overwrites every one of them.
    private func vacate(_ write: RowWrite, _ kind: TargetOperation, _ result: inout ApplyResult) throws(TargetError) {
        guard let vacate = write.vacate else { return }
        let all = vacate.columns.map { (column: $0, value: SQLValue.null) }
        let cleared = try underSavepoint(named: "scimsync_vacate") { () throws(TargetError) -> Bool in
            try execute(
                dialect.update(write.table, set: all, where: vacate.idColumn, in: [vacate.id]), kind, write.table,
                &result)
            return true
        }
        guard !cleared else { return }
        for column in vacate.columns {
            for value in [SQLValue.null, .text(placeholder(for: vacate.id))] {
                let moved = try underSavepoint(named: "scimsync_vacate") { () throws(TargetError) -> Bool in
                    try execute(
                        dialect.update(write.table, set: [(column, value)], where: vacate.idColumn, in: [vacate.id]),
                        kind, write.table, &result)
                    return true
                }
                if moved { break }
            }
        }
    }

    /// `~scimsync-` and 16 hex digits of the FNV-1a hash of the row's id: unique per row in
    /// practice, short enough for most text columns, and never a value a source sends.
    private func placeholder(for id: SQLValue) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(id)".utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "~scimsync-" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    /// The table an operation writes first, for reports.
    func tableName(_ op: ResourceOp) -> String {
        switch op {
        case .create(.user, _), .patch(.user, _, _), .delete(.user, _), .deactivate, .reactivate: users.table.name
        case .create(.group, _), .patch(.group, _, _), .delete(.group, _), .moveParent:
            groups?.table.name ?? users.table.name
        case .addMember, .removeMember: relation?.name ?? users.table.name
        }
    }
}

/// A statement worked out ahead, with what moving its row out of the way takes.
struct RowWrite {
    var table: String
    var statement: SQLStatement?
    var vacate: (idColumn: String, id: SQLValue, columns: [String])?

    init(
        table: String, statement: SQLStatement?, vacate: (idColumn: String, id: SQLValue, columns: [String])? = nil
    ) {
        self.table = table
        self.statement = statement
        self.vacate = vacate
    }
}

/// An operation waiting in the op-by-op pass; `conflicted` when it failed on a unique value
/// (rather than waiting behind another).
struct PendingOp {
    var op: ResourceOp
    var conflicted: Bool
}

/// What the op-by-op pass carries along.
struct OpByOpState {
    var result = ApplyResult()
    var pending: [PendingOp] = []
    /// The order operations came in, for putting waiting ones back in it.
    var order: [ResourceOp: Int] = [:]
    private var counter = 0

    /// Whether a waiting operation touches what `op` touches: then `op` waits behind it, so
    /// that operations on one user, group or membership keep their order.
    func isHeldBack(_ op: ResourceOp) -> Bool {
        let touched = op.touched
        return pending.contains { !$0.op.touched.isDisjoint(with: touched) }
    }

    /// Whether a waiting operation before `entry` touches what its operation touches.
    func isHeldBack(_ op: ResourceOp, before entry: PendingOp) -> Bool {
        let touched = op.touched
        for other in pending {
            if other.op == entry.op { return false }
            if !other.op.touched.isDisjoint(with: touched) { return true }
        }
        return false
    }

    /// Forgets operations parked earlier in the batch that `op` makes obsolete.
    mutating func dropParked(madeObsoleteBy op: ResourceOp, _ target: SQLTarget) {
        guard !result.parked.isEmpty else { return }
        result.parked.removeAll { target.makesObsolete(op, $0) }
    }

    mutating func wait(_ op: ResourceOp, conflicted: Bool = false) {
        if order[op] == nil {
            order[op] = counter
            counter += 1
        }
        pending.append(PendingOp(op: op, conflicted: conflicted))
    }

    mutating func quarantine(_ op: ResourceOp, table: String, _ refusal: Refusal) {
        result.quarantined.append(
            QuarantinedOp(
                operation: TargetOperation(op), subject: QuarantineSubject(op), table: table, column: refusal.column,
                reason: refusal.reason, op: op))
    }
}

extension ResourceOp {
    /// What the operation changes: its user, group or membership.
    var ownSubjects: Set<String> {
        switch self {
        case .create(let kind, let resource): [Self.key(kind, resource.id ?? "")]
        case .patch(let kind, let id, _), .delete(let kind, let id): [Self.key(kind, id)]
        case .deactivate(let id), .reactivate(let id): [Self.key(.user, id)]
        case .addMember(let group, let user), .removeMember(let group, let user): ["M\u{0}\(group)\u{0}\(user)"]
        case .moveParent(let group, _): [Self.key(.group, group)]
        }
    }

    /// What the operation changes or names: its own subjects and the users and groups it
    /// references.
    var touched: Set<String> {
        var keys = ownSubjects
        switch self {
        case .addMember(let group, let user), .removeMember(let group, let user):
            keys.insert(Self.key(.group, group))
            keys.insert(Self.key(.user, user))
        case .moveParent(_, let parent?):
            keys.insert(Self.key(.group, parent))
        case .create, .patch, .delete, .deactivate, .reactivate, .moveParent:
            break
        }
        return keys
    }

    private static func key(_ kind: ResourceKind, _ id: String) -> String {
        "\(kind == .user ? "U" : "G")\u{0}\(id)"
    }
}

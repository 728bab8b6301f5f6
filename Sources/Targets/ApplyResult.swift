import Directory

/// What one ``SQLTarget/apply(_:)`` did.
public struct ApplyResult: Sendable, Hashable {
    /// Operations applied, by kind (including those that found nothing to change). Parked and
    /// quarantined operations are not counted.
    public var applied: [TargetOperation: Int] = [:]
    /// Patches of rows the target does not have (deleted there, or their creation refused):
    /// quarantined, since a PATCH cannot make them whole.
    public var skippedPatches: Int = 0
    /// Statements sent, BEGIN and COMMIT excluded: shows how well the batch was combined.
    /// Statements of a first attempt that was rolled back count too.
    public var statements: Int = 0
    /// Operations not applied because they name a user or group the target does not have
    /// yet; the caller keeps them and submits them again once that resource arrives.
    public var parked: [ParkedOp] = []
    /// Operations the target refused for their values; everything else of the batch applied.
    public var quarantined: [QuarantinedOp] = []
    /// Whether the batch went op by op after the whole of it failed once (a refused value, a
    /// missing reference or a unique value moving between rows): for logs and counts.
    public var resolvedOpByOp: Bool = false
    /// Whether a first-load batch went through the database's bulk path whole
    /// (``SQLTarget/load(_:)``); false when it was applied with upserts.
    public var loadedInBulk: Bool = false

    public init() {}
}

/// A user or group an operation names, as the target lacks it.
public struct ResourceRef: Sendable, Hashable, CustomStringConvertible {
    public var kind: ResourceKind
    public var id: String

    public init(_ kind: ResourceKind, _ id: String) {
        self.kind = kind
        self.id = id
    }

    /// `Group g1`: ids are keys, not personal data.
    public var description: String { "\(kind.rawValue) \(id)" }
}

/// An operation that cannot apply yet: it names a user or group the target does not have
/// (DESIGN.md: "an operation that cannot apply yet (a reference to a row not there yet) is
/// parked and retried when the row arrives").
public struct ParkedOp: Sendable, Hashable, CustomStringConvertible {
    public var op: ResourceOp
    /// What the operation decides, as ``SQLTarget/parkingKey(_:)`` names it: parking the same
    /// key again replaces the earlier operation, and a later operation with the same key
    /// makes the parked one obsolete.
    public var key: String
    /// The resource whose arrival lets the operation apply.
    public var waitingFor: ResourceRef

    public init(op: ResourceOp, key: String, waitingFor: ResourceRef) {
        self.op = op
        self.key = key
        self.waitingFor = waitingFor
    }

    /// `addMember waits for Group g9`: the operation's kind and the missing resource's id.
    public var description: String { "\(TargetOperation(op)) waits for \(waitingFor)" }
}

/// An operation the target refused for what it carries; the rest of its batch applied.
public struct QuarantinedOp: Sendable, Hashable, CustomStringConvertible {
    public var operation: TargetOperation
    public var subject: QuarantineSubject
    /// The table that refused it.
    public var table: String
    /// The column the database named, when it named one.
    public var column: String?
    public var reason: RefusalReason
    /// The operation itself: it carries the resource's values, so it is for the caller's
    /// retry logic only, never for logs.
    public var op: ResourceOp

    public init(
        operation: TargetOperation, subject: QuarantineSubject, table: String, column: String?, reason: RefusalReason,
        op: ResourceOp
    ) {
        self.operation = operation
        self.subject = subject
        self.table = table
        self.column = column
        self.reason = reason
        self.op = op
    }

    /// `createUser of User u7 refused by table users, column login: a value another row
    /// holds …`: never a value.
    public var description: String {
        "\(operation) of \(subject) refused by table \(table)\(column.map { ", column \($0)" } ?? ""): \(reason)"
    }
}

/// Why the target refused a row, in words that never quote a value.
public enum RefusalReason: Sendable, Hashable, CustomStringConvertible {
    /// A UNIQUE key refused the value, and no other operation of the batch frees it.
    case uniqueConflict
    /// The value is longer than the column takes.
    case tooLong
    /// The column is NOT NULL and the resource has no value for it.
    case missingValue
    /// The column's type does not take the value (or the value is out of its range).
    case wrongType
    /// A text value holds NUL (U+0000), which the database's text cannot store.
    case nulCharacter
    /// A CHECK constraint refused the row.
    case check
    /// A delete refused: other rows of the target, outside the layout, still reference it.
    case stillReferenced
    /// A foreign key of the target refused the row for a reference the layout does not map.
    case foreignKey
    /// The resource's values do not map to the table's columns.
    case mapping(String)
    /// The PATCH operations do not apply to the stored row.
    case patch(status: Int, scimType: String?)
    /// A trigger refused the row with its own message (PostgreSQL RAISE EXCEPTION, MariaDB
    /// SIGNAL), escaped and cut: the operator's words, not a value of the row's.
    case raised(String)
    /// The value is too large for an index of the table (PostgreSQL's index row limit).
    case tooLargeForIndex
    /// A change of a row the target does not have.
    case missingRow
    /// Another refusal, by the database's error code.
    case other(code: String)

    public var description: String {
        switch self {
        case .uniqueConflict:
            "a unique value another row of the target holds, which no operation of the batch frees; "
                + "fix the source row or the target row that holds the value"
        case .tooLong: "the value is longer than the column takes; shorten it in the source or widen the column"
        case .missingValue: "the column is NOT NULL and the resource has no value for it"
        case .wrongType: "the column's type does not take the value; fix the value or the column type"
        case .nulCharacter: "a text value holds a NUL character (U+0000), which this database cannot store; fix the value at the source"
        case .check: "a CHECK constraint of the table refused the row"
        case .stillReferenced: "other rows of the target still reference it"
        case .foreignKey: "a foreign key of the table refused the row"
        case .mapping(let text): "the resource does not map to a row: \(text)"
        case .patch(let status, let scimType):
            "the PATCH operations do not apply to the stored row (SCIM status \(status)"
                + "\(scimType.map { ", scimType \($0)" } ?? ""))"
        case .raised(let message): "a trigger of the table refused the row: \(message)"
        case .missingRow:
            "the target has no row for it (deleted there, or its creation was refused), so the change cannot "
                + "apply; a reconciliation (`scimsync reconcile`) creates it"
        case .tooLargeForIndex:
            "the value is too large for an index of the table; shorten it in the source or index a hash of the column"
        case .other(let code): "the database refused it (error \(code))"
        }
    }
}

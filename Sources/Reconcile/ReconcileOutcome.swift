/// How a pass runs.
public struct ReconcileOptions: Sendable {
    /// Report what differs, change nothing.
    public var dryRun = false
    /// Apply even beyond `reconcile.maxRemovals` or with an empty source (once).
    public var force = false
    /// Rows per keyset read, and per target transaction of repairs.
    public var chunkSize = 1000
    /// How many differences the report details.
    public var detailLimit = 20
    /// How much memory (estimated) the plan may keep of its repairs, so that the repairing
    /// pass applies them without comparing again; a plan with more compares again.
    public var keptRepairsBytes = 64 << 20

    public init(
        dryRun: Bool = false, force: Bool = false, chunkSize: Int = 1000, detailLimit: Int = 20,
        keptRepairsBytes: Int = 64 << 20
    ) {
        self.dryRun = dryRun
        self.force = force
        self.chunkSize = chunkSize
        self.detailLimit = detailLimit
        self.keptRepairsBytes = keptRepairsBytes
    }
}

/// What a pass did.
public enum ReconcileOutcome: Sendable {
    /// Source and target agree on what scimsync manages; the report may still list unmanaged
    /// rows, which are left alone and are not drift (a dry run included).
    case clean(DriftReport)
    /// Drift found and repaired.
    case repaired(DriftReport)
    /// Drift found, nothing changed (`--dry-run`): repairs a real pass would make.
    case dryRun(DriftReport)
    /// The safety limits stopped the pass before anything was applied; the pipeline is held.
    case refused(DriftReport, reason: String)

    public var report: DriftReport {
        switch self {
        case .clean(let report), .repaired(let report), .dryRun(let report), .refused(let report, _): report
        }
    }
}

/// Where a pass is, for a progress display.
public struct ReconcileProgress: Sendable {
    /// `users`, `groups`, `parents`, `memberships`; with `checking` or `repairing` before it.
    public var phase: String
    /// Rows compared so far in this phase (both sides).
    public var rows: Int
    /// Rows the phase will compare, when known (from the first pass's counts).
    public var expected: Int?

    public init(phase: String, rows: Int, expected: Int?) {
        self.phase = phase
        self.rows = rows
        self.expected = expected
    }
}

/// Why reconciliation could not start.
public struct ReconcileSetupError: Error, CustomStringConvertible {
    public var description: String

    public init(description: String) {
        self.description = description
    }
}

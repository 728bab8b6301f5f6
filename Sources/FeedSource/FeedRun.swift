/// One run of a feed as the store records it.
public struct FeedRun: Sendable, Hashable {
    public var id: Int64
    public var state: FeedRunState
    /// When the run was created, ISO 8601 in UTC.
    public var created: String
    /// Who (or what) uploaded it.
    public var startedBy: String
    /// Who approved a held run, if one did.
    public var approvedBy: String?
    /// The upload's files (name, size, SHA-256).
    public var files: [FeedFileInfo]
    /// Why the run waits for approval, while it does.
    public var holdReason: String?
    public var failureReason: String?
    /// Counts by kind: `records`, `skipped`, and per ``FeedChange/Kind`` once planned.
    public var counts: [String: Int]
    /// Problems logged (skipped records, unreadable files).
    public var errors: Int
    /// Planned changes and how many of them are applied (resuming starts after those).
    public var planned: Int
    public var appliedThrough: Int
    /// Whether the run's uploaded files were removed by retention.
    public var filesPruned: Bool
}

/// One logged problem of a run.
public struct FeedLogEntry: Sendable, Hashable {
    public var location: String
    public var field: String?
    public var reason: String
}

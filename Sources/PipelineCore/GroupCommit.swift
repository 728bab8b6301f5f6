/// How many source transactions one target transaction may take: those already received,
/// up to `maxChanges` operations, gathered for at most `maxDelay`. Grouping never waits for
/// the source: only what it already received joins.
public struct GroupCommit: Sendable, Hashable {
    public var maxChanges: Int
    public var maxDelay: Duration

    public init(maxChanges: Int = 5000, maxDelay: Duration = .milliseconds(20)) {
        self.maxChanges = maxChanges
        self.maxDelay = maxDelay
    }
}

/// How many source transactions one target transaction may take: those already received,
/// joined while the group holds fewer than `maxChanges` operations (so the last one joined may
/// take it past that), gathered for at most `maxDelay`. Grouping never waits for the source:
/// only what it already received joins.
public struct GroupCommit: Sendable, Hashable {
    public var maxChanges: Int
    public var maxDelay: Duration

    public init(maxChanges: Int = 5000, maxDelay: Duration = .milliseconds(20)) {
        self.maxChanges = maxChanges
        self.maxDelay = maxDelay
    }
}

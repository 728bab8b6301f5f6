import Directory

/// Where a feed stands, as the pipeline's offset store keeps it: the run and how many of its
/// planned changes the target holds. It travels as ``Directory/SourcePosition/token(_:)``
/// (`feed:run=12:applied=300`), the form every kind without a log position uses.
public struct FeedPosition: Sendable, Hashable {
    public var run: Int64
    /// How many of the run's planned changes are recorded as applied.
    public var applied: Int

    public init(run: Int64, applied: Int) {
        self.run = run
        self.applied = applied
    }

    public var sourcePosition: SourcePosition {
        .token("feed:run=\(run):applied=\(applied)")
    }

    /// The feed position a token holds, or nil for another kind's token.
    public init?(_ position: SourcePosition) {
        guard case .token(let text) = position, text.hasPrefix("feed:") else { return nil }
        let parts = text.dropFirst(5).split(separator: ":")
        guard parts.count == 2, parts[0].hasPrefix("run="), parts[1].hasPrefix("applied="),
            let run = Int64(parts[0].dropFirst(4)), let applied = Int(parts[1].dropFirst(8))
        else { return nil }
        self.init(run: run, applied: applied)
    }
}

import Directory

/// What one batch of a pass's repairs became on the target.
public struct RepairsApplied: Sendable, Hashable {
    /// The repairs the target carried out.
    public var applied: [ResourceOp]
    /// Repairs the target refused (quarantined).
    public var refused: Int
    /// Repairs waiting for a row the target lacks (parked).
    public var waiting: Int

    public init(_ applied: [ResourceOp], refused: Int = 0, waiting: Int = 0) {
        self.applied = applied
        self.refused = refused
        self.waiting = waiting
    }
}

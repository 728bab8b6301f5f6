import Directory
import SCIMClient

extension SCIMTarget {
    /// ``apply(_:)`` for a caller on a thread that may block (the pipeline's target queue).
    public func applyBlocking(_ ops: [ResourceOp]) throws -> SCIMApplyReport {
        try runBlocking { try await self.apply(ops) }
    }
}

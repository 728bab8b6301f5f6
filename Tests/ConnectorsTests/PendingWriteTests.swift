import Connectors
import Foundation
import Synchronization
import Testing

/// A write started on a thread of its own: waiting for it (blocking, or from a task) sees its
/// effect or its failure, as often as asked.
@Suite struct PendingWriteTests {
    struct DiskFull: Error {}

    @Test func waitingSeesTheWriteDone() async throws {
        let written = Mutex(false)
        let release = DispatchSemaphore(value: 0)
        let write = PendingWrite {
            release.wait()
            written.withLock { $0 = true }
        }
        #expect(!written.withLock { $0 }, "the write waits for its release")
        release.signal()
        try write.wait()
        #expect(written.withLock { $0 })
        try write.wait()
        try await write.finished()
    }

    @Test func waitingThrowsWhatTheWriteThrew() async throws {
        let write = PendingWrite { throw DiskFull() }
        #expect(throws: DiskFull.self) { try write.wait() }
        #expect(throws: DiskFull.self) { try write.wait() }
        await #expect(throws: DiskFull.self) { try await write.finished() }
    }
}

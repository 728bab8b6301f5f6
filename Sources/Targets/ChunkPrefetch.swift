import Connectors
import Directory
import Foundation

/// Reads a load phase's chunks (of operations, or of rows) on a thread of its own, one chunk
/// ahead of the caller, which applies them meanwhile: the first load's source reads and target
/// writes overlap.
///
/// The phase (and the snapshot connection under it) is used by the reading thread only, from
/// `init` until `stop()` returns; the caller must not touch the snapshot in between. That
/// hand-over is what makes the unchecked `Sendable` sound: the connection is never used by two
/// threads at once.
final class ChunkPrefetch<Chunk>: @unchecked Sendable {
    private let condition = NSCondition()
    /// The chunk read ahead (nil inside: the table's end), waiting for `next()`.
    private var ready: Result<Chunk?, any Error>?
    private var stopping = false
    private var finished = false

    /// Starts reading with `read`, a reader the phase just made (``Connectors/LoadPhase/read``).
    init(_ read: @escaping () throws -> Chunk?) {
        let cursor = ReaderBox(read)
        let thread = Thread { [self] in
            defer {
                condition.lock()
                finished = true
                condition.broadcast()
                condition.unlock()
            }
            while true {
                let result = Result { () throws -> Chunk? in try cursor.next() }
                condition.lock()
                while ready != nil && !stopping { condition.wait() }
                if stopping {
                    condition.unlock()
                    return
                }
                ready = result
                condition.broadcast()
                condition.unlock()
                // The end of the table or an error: nothing more to read.
                guard case .success(.some) = result else { return }
            }
        }
        thread.name = "scimsync.initial-load.read"
        thread.start()
    }

    /// The next chunk, or nil after the table's last chunk; rethrows a read or mapping error
    /// of the reading thread.
    func next() throws -> Chunk? {
        condition.lock()
        defer { condition.unlock() }
        while ready == nil && !finished { condition.wait() }
        guard let result = ready else { return nil }
        ready = nil
        condition.broadcast()
        return try result.get()
    }

    /// Waits until the reading thread has ended (after the read in flight, if any); after it
    /// returns the snapshot's connection is the caller's again. Called on every way out.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }
}

/// Carries the phase's reader to the reading thread; see ``ChunkPrefetch`` for why that is
/// sound.
private final class ReaderBox<Chunk>: @unchecked Sendable {
    let next: () throws -> Chunk?

    init(_ next: @escaping () throws -> Chunk?) {
        self.next = next
    }
}

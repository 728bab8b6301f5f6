import Foundation

/// One side of a merge-join read on a thread of its own, a chunk ahead of the join: while the
/// pass compares a chunk, the next one is read and mapped. With both sides read ahead, the
/// source's reads, the target's reads and the comparison overlap (on 2 cores, a no-drift pass
/// is mostly reading and mapping rows).
///
/// The chunks' reader (and the connection under it) is used by the reading thread only, from
/// `init` until `stop()` returns, except inside ``exclusive(_:)``, which waits for the read in
/// flight and keeps the thread from starting another: the connection is never used by two
/// threads at once. That hand-over is what makes the unchecked `Sendable` sound.
final class ReadAhead<Element>: OrderedChunks, @unchecked Sendable {
    private let condition = NSCondition()
    /// Held by whoever uses the reader: the thread for each chunk, the pass in `exclusive`.
    private let using = NSLock()
    /// The chunk read ahead (nil inside: the end), waiting for `next()`.
    private var ready: Result<[Element]?, any Error>?
    private var stopping = false
    private var finished = false

    /// Starts reading `chunks` ahead on a thread named `name` (at most 15 bytes).
    init(_ chunks: ClosureChunks<Element>, name: String) {
        let box = ChunksBox(chunks)
        let thread = Thread { [self] in
            // Named from inside: on Linux a name given before `start()` does not reach the
            // system thread, whose name (what `perf` and `top -H` show) is at most 15 bytes.
            Thread.current.name = name
            defer {
                condition.lock()
                finished = true
                condition.broadcast()
                condition.unlock()
            }
            while true {
                using.lock()
                let result = Result { () throws -> [Element]? in try box.chunks.next() }
                using.unlock()
                condition.lock()
                while ready != nil && !stopping { condition.wait() }
                if stopping {
                    condition.unlock()
                    return
                }
                ready = result
                condition.broadcast()
                condition.unlock()
                // The end or an error: nothing more to read.
                guard case .success(.some) = result else { return }
            }
        }
        thread.start()
    }

    /// The next chunk, or nil after the last; rethrows the reading thread's error.
    func next() throws -> [Element]? {
        condition.lock()
        defer { condition.unlock() }
        while ready == nil && !finished { condition.wait() }
        guard let result = ready else { return nil }
        ready = nil
        condition.broadcast()
        return try result.get()
    }

    /// Runs `body`, which uses the same reader (another query on its connection), between two
    /// of the thread's reads.
    func exclusive<T>(_ body: () throws -> T) rethrows -> T {
        using.lock()
        defer { using.unlock() }
        return try body()
    }

    /// Waits until the reading thread has ended (after the read in flight, if any); after it
    /// returns the reader is the caller's again. Called on every way out of a join.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }
}

/// Carries the chunks to the reading thread; see ``ReadAhead`` for why that is sound.
private final class ChunksBox<Element>: @unchecked Sendable {
    var chunks: ClosureChunks<Element>

    init(_ chunks: ClosureChunks<Element>) {
        self.chunks = chunks
    }
}

/// One side of a join as the pass reads it: read ahead on a thread of its own, or in place
/// when its reader does not allow another thread (``ReconcileTargetReader/readsAhead``).
final class ChunkSide<Element>: OrderedChunks {
    private var chunks: ClosureChunks<Element>?
    private let ahead: ReadAhead<Element>?

    init(_ chunks: ClosureChunks<Element>, readAhead: Bool, name: String) {
        if readAhead {
            self.chunks = nil
            ahead = ReadAhead(chunks, name: name)
        } else {
            self.chunks = chunks
            ahead = nil
        }
    }

    func next() throws -> [Element]? {
        if let ahead { return try ahead.next() }
        return try chunks?.next()
    }

    /// Runs `body`, which uses this side's reader, between two reads ahead.
    func exclusive<T>(_ body: () throws -> T) rethrows -> T {
        if let ahead { return try ahead.exclusive(body) }
        return try body()
    }

    /// Ends the reading ahead; the reader is the pass's again.
    func stop() { ahead?.stop() }
}

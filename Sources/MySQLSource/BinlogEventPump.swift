import Foundation
import Logging
import SQLClients

/// Reads a blocking binlog source on a dedicated thread and hands its raw events to async code
/// in order, through a bounded buffer.
///
/// DESIGN.md: blocking C calls (`mariadb_rpl_fetch`) never run on Swift's cooperative pool.
/// The pump's thread opens the source (connecting blocks too), then loops on `fetch`. When
/// `capacity` events wait unread, the thread blocks until the consumer takes one, so memory
/// stays bounded however slow the consumer is (see `BoundedEventChannel` for why not an
/// AsyncStream). An error from the source is delivered after every event read before it, then
/// the sequence ends.
///
/// `stop()` stops reading: it interrupts a blocked fetch (shutting the socket down), lets the
/// thread close the source and waits until the thread has exited.
public final class BinlogEventPump: Sendable {
    private let channel: BoundedEventChannel<RawBinlogEvent>
    private let control = PumpControl()

    /// How many events may wait unread before the reader thread blocks.
    public var capacity: Int { channel.capacity }

    /// The most events that have waited unread at once; never more than `capacity`.
    public var highWaterMark: Int { channel.highWaterMark }

    /// Events waiting unread now (a gauge for metrics).
    public var bufferedCount: Int { channel.bufferedCount }

    /// Starts the reader thread.
    ///
    /// - Parameters:
    ///   - capacity: events buffered before the reader blocks. Each is one binlog event (a few
    ///     hundred bytes typically, up to max_allowed_packet), so memory stays within
    ///     `capacity` × the largest event.
    ///   - name: the thread's name, for debuggers and logs (e.g. the pipeline's name).
    ///   - open: runs on the reader thread and returns the source to read, e.g. a
    ///     `MariaDBReplicationStream`; the source lives and dies on that thread. An error it
    ///     throws is delivered to the consumer.
    public init(
        capacity: Int = 256, name: String = "scimsync.binlog", logger: Logger = Logger(label: "scimsync.binlog"),
        open: @escaping @Sendable () throws -> any BinlogEventSource
    ) {
        let channel = BoundedEventChannel<RawBinlogEvent>(capacity: capacity)
        self.channel = channel
        let control = control
        let thread = Thread {
            Self.run(open: open, channel: channel, control: control, logger: logger)
            control.markExited()
        }
        thread.name = name
        thread.start()
    }

    deinit {
        // Without a `stop()`, dropping the pump still stops the thread; it exits on its own.
        control.cancel()
        channel.cancel()
    }

    /// The next event in binlog order; nil once the source ended (non-blocking stream at the end
    /// of the binlog) or the pump was stopped.
    /// - Throws: the source's error (e.g. `ReplicationError`), once, after the events before
    ///   it; `CancellationError` when the calling task is cancelled while waiting.
    public func next() async throws -> RawBinlogEvent? {
        try await channel.receive()
    }

    /// Up to `limit` events already read, in order, without waiting; empty when none are. The
    /// end of the source (or its error) is left for ``next()``.
    public func takeBuffered(limit: Int) -> [RawBinlogEvent] {
        channel.takeBuffered(limit: limit)
    }

    /// Stops reading, closes the source and waits until the reader thread has exited. A
    /// pending or later `next()` returns nil. Safe to call more than once. A source still being
    /// opened cannot be interrupted: then this waits for the open to end (at most the stream's
    /// connect timeout).
    public func stop() async {
        control.cancel()
        channel.cancel()
        await control.waitUntilExited()
    }

    /// The events as an async sequence (one consumer).
    public var events: Events { Events(pump: self) }

    public struct Events: AsyncSequence, Sendable {
        public typealias Element = RawBinlogEvent
        let pump: BinlogEventPump

        public struct AsyncIterator: AsyncIteratorProtocol {
            let pump: BinlogEventPump
            public mutating func next() async throws -> RawBinlogEvent? {
                try await pump.next()
            }
        }

        public func makeAsyncIterator() -> AsyncIterator {
            AsyncIterator(pump: pump)
        }
    }

    /// The reader thread's body. The source is released when this returns, before the thread
    /// reports its exit, so `stop()` returns only after the connection is closed.
    private static func run(
        open: @Sendable () throws -> any BinlogEventSource, channel: BoundedEventChannel<RawBinlogEvent>,
        control: PumpControl, logger: Logger
    ) {
        let source: any BinlogEventSource
        do {
            source = try open()
        } catch {
            channel.finish(throwing: control.isCancelled ? nil : error)
            return
        }
        guard control.attach(source.interrupt) else {
            channel.finish()
            return
        }
        defer { control.detach() }
        while true {
            let event: RawBinlogEvent?
            do {
                event = try source.fetch()
            } catch {
                // An interrupted fetch fails with a lost connection: that is the stop, not news.
                if control.isCancelled {
                    channel.finish()
                } else {
                    logger.info("binlog reader stopped by an error", metadata: ["error": "\(error)"])
                    channel.finish(throwing: error)
                }
                return
            }
            guard let event else {
                channel.finish()
                return
            }
            if !channel.send(event) {
                return
            }
        }
    }
}

/// The pump's cross-thread state: whether it was cancelled, how to interrupt the source, and
/// who waits for the reader thread to exit.
private final class PumpControl: @unchecked Sendable {
    // Guards every property.
    private let lock = NSLock()
    private var cancelled = false
    private var interrupt: (@Sendable () -> Void)?
    private var exited = false
    private var exitWaiters: [CheckedContinuation<Void, Never>] = []

    var isCancelled: Bool {
        lock.lock()
        defer { lock.unlock() }
        return cancelled
    }

    /// Registers how to interrupt the open source; false (and nothing registered) when the
    /// pump was cancelled while the source was opening.
    func attach(_ interrupt: @escaping @Sendable () -> Void) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard !cancelled else { return false }
        self.interrupt = interrupt
        return true
    }

    func detach() {
        lock.lock()
        interrupt = nil
        lock.unlock()
    }

    func cancel() {
        lock.lock()
        cancelled = true
        let interrupt = interrupt
        lock.unlock()
        interrupt?()
    }

    func markExited() {
        lock.lock()
        exited = true
        let waiters = exitWaiters
        exitWaiters = []
        lock.unlock()
        for waiter in waiters {
            waiter.resume()
        }
    }

    func waitUntilExited() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if exited {
                lock.unlock()
                continuation.resume()
            } else {
                exitWaiters.append(continuation)
                lock.unlock()
            }
        }
    }
}

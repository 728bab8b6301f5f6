import Foundation
import MySQLSource
import SQLClients

/// A source that replays scripted events, then optionally fails or blocks until interrupted;
/// it counts fetches and notes when it is released.
final class ScriptedSource: BinlogEventSource {
    enum Ending {
        case end
        case fail(any Error)
        case blockUntilInterrupted
    }

    let probe: SourceProbe
    private var remaining: [RawBinlogEvent]
    private let ending: Ending

    init(events: [RawBinlogEvent], ending: Ending, probe: SourceProbe) {
        remaining = events
        self.ending = ending
        self.probe = probe
    }

    deinit {
        probe.markReleased()
    }

    func fetch() throws -> RawBinlogEvent? {
        if !remaining.isEmpty {
            probe.countFetch()
            return remaining.removeFirst()
        }
        switch ending {
        case .end:
            return nil
        case .fail(let error):
            throw error
        case .blockUntilInterrupted:
            probe.interrupted.wait()
            throw ReplicationError(kind: .lostConnection, code: 2013, message: "interrupted")
        }
    }

    var interrupt: @Sendable () -> Void {
        let probe = probe
        return { probe.interrupted.signal() }
    }
}

/// What the tests observe of a scripted source from outside its thread.
final class SourceProbe: @unchecked Sendable {
    // Guards `fetches` and `released`.
    private let lock = NSLock()
    private var fetches = 0
    private var released = false
    let interrupted = DispatchSemaphore(value: 0)

    var fetchCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return fetches
    }

    var isReleased: Bool {
        lock.lock()
        defer { lock.unlock() }
        return released
    }

    func countFetch() {
        lock.lock()
        fetches += 1
        lock.unlock()
    }

    func markReleased() {
        lock.lock()
        released = true
        lock.unlock()
    }
}

import Directory
import Foundation
import MySQLSource
import SQLClients
import TestSupport
import Synchronization
import Testing

private struct ScriptedFailure: Error, Equatable {}

private func events(_ count: Int) -> [RawBinlogEvent] {
    (0..<count).map { syntheticEvent(type: EventType.writeRowsV1, nextPosition: UInt32(1000 + $0 * 100)) }
}

@Suite struct BinlogEventPumpTests {
    @Test func anErrorArrivesAfterTheEventsBeforeIt() async throws {
        let probe = SourceProbe()
        let script = events(5)
        let pump = BinlogEventPump(capacity: 2) {
            ScriptedSource(events: script, ending: .fail(ScriptedFailure()), probe: probe)
        }
        var received: [RawBinlogEvent] = []
        await #expect(throws: ScriptedFailure.self) {
            while let event = try await pump.next() {
                received.append(event)
            }
        }
        #expect(received == script)
        #expect(try await pump.next() == nil)
        await pump.stop()
        #expect(probe.isReleased)
    }

    /// What is buffered comes in one call, in order, without waiting; the source's error is
    /// left for `next()`, after those events.
    @Test func takingTheBufferedEventsLeavesTheErrorForNext() async throws {
        let probe = SourceProbe()
        let script = events(5)
        let pump = BinlogEventPump(capacity: 8) {
            ScriptedSource(events: script, ending: .fail(ScriptedFailure()), probe: probe)
        }
        try await waitUntil { pump.bufferedCount == 5 }
        #expect(pump.takeBuffered(limit: 3) == Array(script[0..<3]))
        #expect(pump.takeBuffered(limit: 10) == Array(script[3...]))
        #expect(pump.takeBuffered(limit: 10).isEmpty)
        await #expect(throws: ScriptedFailure.self) { _ = try await pump.next() }
        await pump.stop()
    }

    @Test func theReaderBlocksWhenTheBufferIsFull() async throws {
        let probe = SourceProbe()
        let script = events(50)
        let pump = BinlogEventPump(capacity: 4) {
            ScriptedSource(events: script, ending: .end, probe: probe)
        }
        // Nobody reads: the thread fills the buffer, fetches one more and blocks handing it over.
        try await waitUntil { probe.fetchCount == 5 }
        try await Task.sleep(for: .milliseconds(100))
        #expect(probe.fetchCount == 5)
        #expect(pump.bufferedCount == 4)

        var received: [RawBinlogEvent] = []
        for try await event in pump.events {
            received.append(event)
            // A slow consumer: the reader stays at most one event ahead of the full buffer.
            #expect(probe.fetchCount <= received.count + 5)
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(received == script)
        #expect(pump.highWaterMark == 4)
        await pump.stop()
    }

    @Test func stopInterruptsABlockedFetchAndClosesTheSource() async throws {
        let probe = SourceProbe()
        let script = events(3)
        let pump = BinlogEventPump(capacity: 8) {
            ScriptedSource(events: script, ending: .blockUntilInterrupted, probe: probe)
        }
        for expected in script {
            #expect(try await pump.next() == expected)
        }
        try await waitUntil { probe.fetchCount == 3 }
        await pump.stop()
        #expect(probe.isReleased)
        // The interruption is the stop, not an error for the consumer.
        #expect(try await pump.next() == nil)
    }

    @Test func anOpenErrorIsDelivered() async throws {
        let pump = BinlogEventPump { () throws -> any BinlogEventSource in
            throw ReplicationError(kind: .accessDenied, code: 1045, message: "denied")
        }
        let error = await #expect(throws: ReplicationError.self) { try await pump.next() }
        #expect(error?.kind == .accessDenied)
        await pump.stop()
    }

    @Test func aCancelledConsumerTaskStopsWaiting() async throws {
        let probe = SourceProbe()
        let pump = BinlogEventPump(capacity: 2) {
            ScriptedSource(events: [], ending: .blockUntilInterrupted, probe: probe)
        }
        let waiting = Task { try await pump.next() }
        try await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        await pump.stop()
        #expect(probe.isReleased)
    }

    @Test func realStreamEventsArriveInOrderUnderASlowConsumer() async throws {
        let connection = try TestServers.mariaDB()
        let table = TestServers.uniqueName("pump")
        try connection.execute("CREATE TABLE \(table) (id INT PRIMARY KEY, name VARCHAR(64)) ENGINE=InnoDB")
        defer { _ = try? connection.execute("DROP TABLE \(table)") }
        let start = try connection.currentBinlogPosition()
        let markers = (0..<30).map { "row-\($0)-\(UUID().uuidString)" }
        for (index, marker) in markers.enumerated() {
            try connection.query("INSERT INTO \(table) VALUES (?, ?)", [.int(Int64(index)), .text(marker)])
        }

        let pump = BinlogEventPump(capacity: 2) { try openStream(from: start.start) }
        var received: [RawBinlogEvent] = []
        for try await event in pump.events {
            received.append(event)
            try await Task.sleep(for: .milliseconds(2))
        }
        await pump.stop()

        #expect(pump.highWaterMark == 2)
        let rows = received.filter { $0.typeCode == EventType.writeRowsV1 && markers.contains(where: $0.contains) }
        #expect(rows.count == markers.count)
        for (event, marker) in zip(rows, markers) {
            #expect(event.contains(marker))
        }
        let positions = received.filter { $0.nextPosition != 0 }.map(\.nextPosition)
        #expect(positions == positions.sorted())
        #expect(Set(positions).count == positions.count)
    }

    @Test func anIdleStreamSendsHeartbeatsAndStopsPromptly() async throws {
        // A server of its own: the shared one is never idle while other tests run, and a
        // server only sends heartbeats while its binlog is idle.
        let server = try PrivateMariaDB()
        let (port, user, password) = (server.port, server.user, server.password)
        let connection = try MariaDBConnection(host: "127.0.0.1", port: port, user: user, password: password)
        let start = try connection.currentBinlogPosition()
        let marks = StopMarks()
        let pump = BinlogEventPump(capacity: 16) {
            TimedStream(
                stream: try MariaDBReplicationStream(
                    host: "127.0.0.1", port: port, user: user, password: password, serverID: uniqueServerID(),
                    start: start.start, heartbeat: .seconds(15), nonBlocking: false),
                marks: marks)
        }
        var sawHeartbeat = false
        for _ in 0..<10_000 {
            guard let event = try await pump.next() else { break }
            if event.isHeartbeat {
                sawHeartbeat = true
                break
            }
        }
        #expect(sawHeartbeat)
        // The reader is now blocked in mariadb_rpl_fetch; stop must not wait for the next
        // heartbeat (15 s away), let alone the read timeout (45 s). The interval is taken on
        // the reader's own thread, from the interrupt to the fetch giving up: what `stop()`
        // takes to return also includes resuming this task on the cooperative pool, which
        // other suites' blocking calls can hold for seconds while CI runs everything at once
        // (13 s was seen). A fetch that waited for the heartbeat takes seconds; an
        // interrupted one, milliseconds even on a loaded machine.
        await pump.stop()
        let interval = try #require(marks.interruptToFetchEnd)
        #expect(interval < .seconds(5))
        #expect(marks.released)
        #expect(try await pump.next() == nil)
    }
}

/// Polls `condition` every few milliseconds for up to five seconds.
private func waitUntil(_ condition: () -> Bool) async throws {
    for _ in 0..<1000 where !condition() {
        try await Task.sleep(for: .milliseconds(5))
    }
    #expect(condition())
}

/// When a timed stream was interrupted and when its blocked fetch gave up, as the reader
/// thread saw them.
private final class StopMarks: Sendable {
    private struct State {
        var interrupted: ContinuousClock.Instant?
        var fetchEnded: ContinuousClock.Instant?
        var released = false
    }
    private let state = Mutex(State())

    func markInterrupted() { state.withLock { $0.interrupted = .now } }
    func markFetchEnded() { state.withLock { $0.fetchEnded = $0.fetchEnded ?? .now } }
    func markReleased() { state.withLock { $0.released = true } }

    var released: Bool { state.withLock(\.released) }

    /// From the first interrupt to the fetch that ended after it; nil if either is missing.
    var interruptToFetchEnd: Duration? {
        state.withLock { state in
            guard let interrupted = state.interrupted, let ended = state.fetchEnded, ended >= interrupted else {
                return nil
            }
            return ended - interrupted
        }
    }
}

/// A replication stream that records on `marks` when it is interrupted, when a fetch ends by
/// an error, and when it is released (on the reader thread, as the pump promises).
private final class TimedStream: BinlogEventSource {
    private let stream: MariaDBReplicationStream
    private let marks: StopMarks

    init(stream: MariaDBReplicationStream, marks: StopMarks) {
        self.stream = stream
        self.marks = marks
    }

    deinit { marks.markReleased() }

    func fetch() throws -> RawBinlogEvent? {
        do {
            return try stream.fetch()
        } catch {
            marks.markFetchEnded()
            throw error
        }
    }

    var interrupt: @Sendable () -> Void {
        let (interrupt, marks) = (stream.interrupt, marks)
        return {
            marks.markInterrupted()
            interrupt()
        }
    }
}

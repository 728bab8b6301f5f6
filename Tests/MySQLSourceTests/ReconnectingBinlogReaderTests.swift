import Foundation
import Synchronization
import MySQLSource
import SQLClients
import TestSupport
import Testing

/// The positions a reader opened its sources at, and the sources' connection ids.
private final class OpenLog: @unchecked Sendable {
    // Guards both arrays.
    private let lock = NSLock()
    private var opened: [BinlogStart] = []
    private var ids: [UInt64] = []

    func record(_ start: BinlogStart, connectionID: UInt64? = nil) -> Int {
        lock.lock()
        defer { lock.unlock() }
        opened.append(start)
        if let connectionID {
            ids.append(connectionID)
        }
        return opened.count
    }

    var starts: [BinlogStart] {
        lock.lock()
        defer { lock.unlock() }
        return opened
    }

    var connectionIDs: [UInt64] {
        lock.lock()
        defer { lock.unlock() }
        return ids
    }
}

private let lost = ReplicationError(kind: .lostConnection, code: 2013, message: "Lost connection")
private let refused = ReplicationError(kind: .cannotConnect, code: 2003, message: "Can't connect")
private let purged = ReplicationError(kind: .positionUnavailable, code: 1236, message: "purged")
private let fast = ReconnectPolicy(initialDelay: .milliseconds(1), maximumDelay: .milliseconds(5), jitter: 0)
private let start = BinlogStart.filePosition(file: "binlog.000001", position: 4)

private func event(_ next: UInt32) -> RawBinlogEvent {
    syntheticEvent(type: EventType.writeRowsV1, nextPosition: next)
}

@Suite struct ReconnectingBinlogReaderTests {
    @Test func aLostConnectionResumesFromTheAcknowledgedPosition() async throws {
        let log = OpenLog()
        let reader = ReconnectingBinlogReader(start: start, policy: fast) { position in
            let attempt = log.record(position)
            let probe = SourceProbe()
            return attempt == 1
                ? ScriptedSource(events: [event(200), event(300), event(400)], ending: .fail(lost), probe: probe)
                : ScriptedSource(events: [event(300), event(400), event(500)], ending: .end, probe: probe)
        }
        #expect(try await reader.next() == .event(event(200)))
        let acknowledged = BinlogStart.filePosition(file: "binlog.000001", position: 200)
        await reader.acknowledge(acknowledged)
        #expect(try await reader.next() == .event(event(300)))
        #expect(try await reader.next() == .event(event(400)))
        #expect(try await reader.next() == .restarted(from: acknowledged, after: lost))
        #expect(try await reader.next() == .event(event(300)))
        #expect(try await reader.next() == .event(event(400)))
        #expect(try await reader.next() == .event(event(500)))
        #expect(try await reader.next() == nil)
        #expect(log.starts == [start, acknowledged])
        await reader.stop()
    }

    /// A run of events: the next one and what the connection has read after it, at most the
    /// limit, never its error; a restart notice comes alone, then the new connection's events.
    @Test func batchesCarryWhatIsBufferedAndARestartComesAlone() async throws {
        let log = OpenLog()
        let reader = ReconnectingBinlogReader(start: start, policy: fast) { position in
            log.record(position) == 1
                ? ScriptedSource(events: [event(200), event(300), event(400), event(450)], ending: .fail(lost), probe: SourceProbe())
                : ScriptedSource(events: [event(500)], ending: .end, probe: SourceProbe())
        }
        #expect(try await reader.nextBatch(limit: 1) == [.event(event(200))])
        let deadline = ContinuousClock.now + TestBounds.serverEvent
        while await reader.bufferedEventCount < 3, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        #expect(try await reader.nextBatch(limit: 2) == [.event(event(300)), .event(event(400))])
        #expect(try await reader.nextBatch(limit: 10) == [.event(event(450))])
        #expect(try await reader.nextBatch(limit: 10) == [.restarted(from: start, after: lost)])
        #expect(try await reader.nextBatch(limit: 10) == [.event(event(500))])
        #expect(try await reader.nextBatch(limit: 10) == nil)
        await reader.stop()
    }

    @Test func failedAttemptsGiveOneRestartNoticeBeforeTheNextEvent() async throws {
        let log = OpenLog()
        let reader = ReconnectingBinlogReader(start: start, policy: fast) { position in
            switch log.record(position) {
            case 1: return ScriptedSource(events: [event(200)], ending: .fail(lost), probe: SourceProbe())
            case 2, 3: throw refused
            default: return ScriptedSource(events: [event(300)], ending: .end, probe: SourceProbe())
            }
        }
        #expect(try await reader.next() == .event(event(200)))
        // The notice names the last failure before the connection that worked.
        #expect(try await reader.next() == .restarted(from: start, after: refused))
        #expect(try await reader.next() == .event(event(300)))
        #expect(try await reader.next() == nil)
        #expect(log.starts == [start, start, start, start])
    }

    /// The connection's loss is told (once per failed attempt, with why) and its return once,
    /// when the new connection's first event arrives: what the daemon's state follows.
    @Test func aLostConnectionAndItsReturnAreTold() async throws {
        let log = OpenLog()
        let told = Mutex<[String?]>([])
        let reader = ReconnectingBinlogReader(
            start: start, policy: fast, connectionChanged: { reason in told.withLock { $0.append(reason) } }
        ) { position in
            switch log.record(position) {
            case 1: return ScriptedSource(events: [event(200)], ending: .fail(lost), probe: SourceProbe())
            case 2: throw refused
            default: return ScriptedSource(events: [event(300)], ending: .end, probe: SourceProbe())
            }
        }
        #expect(try await reader.next() == .event(event(200)))
        #expect(told.withLock { $0 }.isEmpty)
        #expect(try await reader.next() == .restarted(from: start, after: refused))
        #expect(try await reader.next() == .event(event(300)))
        let reports = told.withLock { $0 }
        #expect(reports.count == 3, "\(reports)")
        #expect(reports.prefix(2).allSatisfy { $0?.contains("reconnecting") == true })
        #expect(reports.last == .some(nil))
        #expect(try await reader.next() == nil)
    }

    @Test func positionUnavailableIsThrownWithoutReconnecting() async throws {
        let log = OpenLog()
        let reader = ReconnectingBinlogReader(start: start, policy: fast) { position in
            _ = log.record(position)
            return ScriptedSource(events: [event(200)], ending: .fail(purged), probe: SourceProbe())
        }
        #expect(try await reader.next() == .event(event(200)))
        await #expect(throws: purged) { try await reader.next() }
        #expect(try await reader.next() == nil)
        #expect(log.starts == [start])
    }

    @Test func anUnreachableServerIsRetriedUntilTheAttemptsAreUsedUp() async throws {
        let log = OpenLog()
        var policy = fast
        policy.maximumAttempts = 2
        let reader = ReconnectingBinlogReader(start: start, policy: policy) { position in
            _ = log.record(position)
            throw refused
        }
        await #expect(throws: refused) { try await reader.next() }
        #expect(log.starts == [start, start, start])
        #expect(try await reader.next() == nil)
    }

    /// A server restart cannot be tested here: the MariaDB of scripts/test is shared by every
    /// test running in parallel. Killing the replication connection is what a restart looks
    /// like from the replica's side.
    @Test func aKilledReplicationConnectionReconnectsFromTheAcknowledgedPosition() async throws {
        let connection = try TestServers.mariaDB()
        let table = TestServers.uniqueName("reconnect")
        try connection.execute("CREATE TABLE \(table) (id INT PRIMARY KEY, name VARCHAR(64)) ENGINE=InnoDB")
        defer { _ = try? connection.execute("DROP TABLE \(table)") }
        let begin = try connection.currentBinlogPosition()
        let first = "first-\(UUID().uuidString)"
        let second = "second-\(UUID().uuidString)"
        try connection.query("INSERT INTO \(table) VALUES (1, ?)", [.text(first)])

        let log = OpenLog()
        let reader = ReconnectingBinlogReader(start: begin.start, policy: fast) { position in
            // The default heartbeat (read timeout 30 s): a loaded machine must not drop the
            // connection before the test kills it.
            let stream = try openStream(from: position, nonBlocking: false)
            _ = log.record(position, connectionID: stream.connectionID)
            return stream
        }

        // Read up to the first transaction's XID and acknowledge its end.
        var sawFirst = false
        var acknowledged: BinlogStart?
        while acknowledged == nil, let output = try await reader.next() {
            guard case .event(let event) = output else {
                Issue.record("unexpected \(output)")
                break
            }
            if event.typeCode == EventType.writeRowsV1 && event.contains(first) {
                sawFirst = true
            }
            if sawFirst && event.typeCode == EventType.xid {
                acknowledged = .filePosition(file: begin.file, position: UInt64(event.nextPosition))
            }
        }
        let resume = try #require(acknowledged)
        await reader.acknowledge(resume)

        let dumpConnection = try #require(log.connectionIDs.last)
        // On a loaded machine the server may have dropped the dump connection already (its
        // write timeout, with every other test's events queued for it): ER_NO_SUCH_THREAD.
        // That is the same loss from the replica's side, found at the next read.
        var alreadyGone = false
        do {
            try connection.execute("KILL CONNECTION \(dumpConnection)")
        } catch let error as MariaDBError where error.code == 1094 {
            alreadyGone = true
        }
        try connection.query("INSERT INTO \(table) VALUES (2, ?)", [.text(second)])

        var restarted: ReplicationError?
        var sawSecond = false
        var sawFirstAgain = false
        while !sawSecond, let output = try await reader.next() {
            switch output {
            case .restarted(let from, let error):
                #expect(from == resume)
                restarted = error
            case .event(let event):
                sawFirstAgain = sawFirstAgain || event.contains(first)
                sawSecond = event.typeCode == EventType.writeRowsV1 && event.contains(second)
            }
        }
        await reader.stop()
        #expect(restarted != nil)
        if !alreadyGone { #expect(restarted?.kind == .lostConnection) }
        #expect(sawSecond)
        #expect(!sawFirstAgain)
        #expect(log.starts == [begin.start, resume])
    }
}

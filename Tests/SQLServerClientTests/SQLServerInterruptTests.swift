import Dispatch
import Directory
import Foundation
import SQLServerClient
import Synchronization
import TestSupport
import Testing

/// A statement stopped from another thread through the connection's interrupt: db-lib sends the
/// attention on the connection's own thread, the call throws `.cancelled`, and the connection
/// runs the next statement. Against the test double or the server SCIMSYNC_TEST_SQLSERVER_URL
/// names (both honour `WAITFOR DELAY` and stop it on an attention).
@Suite
struct SQLServerInterruptTests {
    /// Ten minutes: far beyond the bound below, so only a stopped statement passes.
    private static let slow = "WAITFOR DELAY '00:10:00'"

    @Test func anInterruptStopsTheRunningStatementAndTheConnectionGoesOn() throws {
        try explained {
            let connection = try SQLServerTestServer.server().connect()
            let interrupt = connection.interrupt
            // Asked again and again, as the serve pool does, until the statement is over: a
            // request raised before the statement starts is dropped when it starts.
            let over = Atomic(false)
            let asking = DispatchGroup()
            DispatchQueue.global().async(group: asking) {
                while !over.load(ordering: .sequentiallyConsistent) {
                    interrupt.request()
                    Thread.sleep(forTimeInterval: 0.2)
                }
            }
            let started = ContinuousClock.now
            let error = try #require(throws: SQLServerError.self) { try connection.execute(Self.slow) }
            over.store(true, ordering: .sequentiallyConsistent)
            asking.wait()
            #expect(error.kind == .cancelled, "\(String(reflecting: error))")
            #expect(!error.connectionBroken)
            #expect(ContinuousClock.now - started < TestBounds.serverEvent)
            #expect(!connection.isBroken)
            #expect(try connection.query("SELECT 1 AS one") == [Row(["one": .int(1)])])
        }
    }

    /// A request raised while no statement runs is dropped when the next one starts: it was
    /// meant for a statement that is over.
    @Test func anInterruptBetweenStatementsStopsNothing() throws {
        try explained {
            let connection = try SQLServerTestServer.server().connect()
            connection.interrupt.request()
            #expect(try connection.query("WAITFOR DELAY '00:00:01.500'; SELECT 2 AS two") == [Row(["two": .int(2)])])
        }
    }
}

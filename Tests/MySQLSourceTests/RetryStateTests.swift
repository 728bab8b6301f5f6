import MySQLSource
import Testing

@testable import SQLClients

private let lost = ReplicationError(kind: .lostConnection, code: 2013, message: "Lost connection")
private let refused = ReplicationError(kind: .cannotConnect, code: 2003, message: "Can't connect")
private let purged = ReplicationError(kind: .positionUnavailable, code: 1236, message: "purged")
private let denied = ReplicationError(kind: .accessDenied, code: 1045, message: "denied")

private let start = BinlogStart.filePosition(file: "binlog.000001", position: 4)

@Suite struct RetryStateTests {
    private let policy = ReconnectPolicy(
        initialDelay: .seconds(1), maximumDelay: .seconds(10), multiplier: 2, jitter: 0.5, maximumAttempts: nil
    )

    @Test func startConnectsFromTheGivenPosition() {
        var state = RetryState(policy: policy, start: start)
        #expect(state.start() == .connect(from: start))
        #expect(state.start() == .none)
        #expect(state.connected() == .none)
    }

    @Test func lostConnectionsBackOffExponentiallyUpToTheCap() {
        var state = RetryState(policy: policy, start: start)
        _ = state.start()
        var delays: [Duration] = []
        for attempt in 1...6 {
            // 0.5 is the undisturbed value: no jitter.
            guard case .wait(let delay, let counted) = state.failed(refused, unitRandom: 0.5) else {
                Issue.record("attempt \(attempt) did not wait")
                return
            }
            #expect(counted == attempt)
            delays.append(delay)
            #expect(state.delayElapsed() == .connect(from: start))
        }
        #expect(delays == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(10), .seconds(10)])
        #expect(state.consecutiveFailures == 6)
    }

    @Test func jitterSpreadsTheDelayButNeverPastTheCap() {
        #expect(policy.delay(beforeAttempt: 2, unitRandom: 0) == .seconds(1))
        #expect(policy.delay(beforeAttempt: 2, unitRandom: 0.75) == .seconds(2.5))
        #expect(policy.delay(beforeAttempt: 20, unitRandom: 0.99) == .seconds(10))
        #expect(policy.delay(beforeAttempt: 20, unitRandom: 0) == .seconds(5))
    }

    @Test func reconnectionResumesFromTheLastAcknowledgedPosition() {
        var state = RetryState(policy: policy, start: start)
        _ = state.start()
        _ = state.connected()
        _ = state.eventReceived()
        let committed = BinlogStart.filePosition(file: "binlog.000001", position: 1234)
        #expect(state.acknowledged(committed) == .none)
        // Events were read past 1234 but not acknowledged: they are read again.
        guard case .wait = state.failed(lost, unitRandom: 0.5) else {
            Issue.record("a lost connection is retried")
            return
        }
        #expect(state.delayElapsed() == .connect(from: committed))
        #expect(state.resumePosition == committed)
    }

    @Test func anEventAfterReconnectingResetsTheBackoff() {
        var state = RetryState(policy: policy, start: start)
        _ = state.start()
        #expect(state.failed(refused, unitRandom: 0.5) == .wait(.seconds(1), attempt: 1))
        _ = state.delayElapsed()
        #expect(state.failed(refused, unitRandom: 0.5) == .wait(.seconds(2), attempt: 2))
        _ = state.delayElapsed()
        _ = state.connected()
        // Connected but nothing arrived yet: a failure now still counts as the third.
        #expect(state.failed(lost, unitRandom: 0.5) == .wait(.seconds(4), attempt: 3))
        _ = state.delayElapsed()
        _ = state.connected()
        _ = state.eventReceived()
        #expect(state.consecutiveFailures == 0)
        #expect(state.failed(lost, unitRandom: 0.5) == .wait(.seconds(1), attempt: 1))
    }

    @Test func positionUnavailableAndAccessDeniedAreSurfacedNotRetried() {
        for error in [purged, denied] {
            var state = RetryState(policy: policy, start: start)
            _ = state.start()
            _ = state.connected()
            #expect(state.failed(error, unitRandom: 0.5) == .surface(error))
            // Failed is final.
            #expect(state.delayElapsed() == .none)
            #expect(state.start() == .none)
            #expect(state.stopRequested() == .none)
        }
    }

    @Test func attemptsUsedUpSurfaceTheLastError() {
        var limited = policy
        limited.maximumAttempts = 2
        var state = RetryState(policy: limited, start: start)
        _ = state.start()
        #expect(state.failed(refused, unitRandom: 0.5) == .wait(.seconds(1), attempt: 1))
        _ = state.delayElapsed()
        #expect(state.failed(refused, unitRandom: 0.5) == .wait(.seconds(2), attempt: 2))
        _ = state.delayElapsed()
        #expect(state.failed(lost, unitRandom: 0.5) == .surface(lost))
    }

    @Test func stoppingClosesFromEveryActiveState() {
        var streaming = RetryState(policy: policy, start: start)
        _ = streaming.start()
        _ = streaming.connected()
        #expect(streaming.stopRequested() == .close)
        #expect(streaming.failed(lost, unitRandom: 0.5) == .none)
        #expect(streaming.stopRequested() == .none)

        var waiting = RetryState(policy: policy, start: start)
        _ = waiting.start()
        _ = waiting.failed(lost, unitRandom: 0.5)
        #expect(waiting.stopRequested() == .close)
        #expect(waiting.delayElapsed() == .none)

        var idle = RetryState(policy: policy, start: start)
        #expect(idle.stopRequested() == .none)
        #expect(idle.start() == .none)
    }

    @Test func theEndOfANonBlockingStreamStops() {
        var state = RetryState(policy: policy, start: start)
        _ = state.start()
        _ = state.connected()
        #expect(state.streamEnded() == .close)
        #expect(state.failed(lost, unitRandom: 0.5) == .none)
    }

    @Test func errorsAreClassifiedByNumber() {
        #expect(ReplicationError(code: 1236, message: "").kind == .positionUnavailable)
        #expect(ReplicationError(code: 1227, message: "").kind == .accessDenied)
        #expect(ReplicationError(code: 2013, message: "").kind == .lostConnection)
        #expect(ReplicationError(code: 1053, message: "").kind == .lostConnection)
        #expect(ReplicationError(code: 2003, message: "").kind == .cannotConnect)
        // No socket could be made (every file descriptor in use): retried, and said as such.
        for code: UInt32 in [2001, 2004] {
            let noSocket = ReplicationError(code: code, message: "Can't create TCP/IP socket (24)")
            #expect(noSocket.kind == .cannotConnect && noSocket.isRetryable)
            #expect(noSocket.description.contains("limit of open files"))
            #expect(MariaDBError(code: code, sqlState: "HY000", message: "", operation: .connect, host: "h", port: 1)
                .description.contains("limit of open files"))
        }
        #expect(ReplicationError(code: 5020, message: "").kind == .unsupportedEvent)
        #expect(ReplicationError(code: 5021, message: "").kind == .malformedEvent)
        #expect(!ReplicationError(code: 5020, message: "").isRetryable)
        #expect(ReplicationError(code: 1064, message: "").kind == .other)
        #expect(!ReplicationError(code: 1064, message: "").isRetryable)
    }
}

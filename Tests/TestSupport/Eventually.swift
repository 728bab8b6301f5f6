/// How long a test waits for something a real server or process must do (a first load
/// committed, a change arrived, a process exited). CI runs every suite at once on a loaded
/// 2-core machine, where a first load that takes 2 s alone has taken over 30 s: the bound is
/// there to end a test that is truly stuck, not to time anything.
public enum TestBounds {
    public static let serverEvent: Duration = .seconds(180)
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held. Waiting for
/// the event, never for a fixed time: a quick machine returns as soon as it happened.
@discardableResult
public func eventually(
    timeout: Duration = TestBounds.serverEvent, every interval: Duration = .milliseconds(20),
    _ condition: () throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try await Task.sleep(for: interval)
    }
}

/// ``eventually(timeout:every:_:)`` for a condition that awaits: an actor's state, a server's
/// answer.
@discardableResult
public func eventually(
    timeout: Duration = TestBounds.serverEvent, every interval: Duration = .milliseconds(20),
    _ condition: () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try await Task.sleep(for: interval)
    }
}

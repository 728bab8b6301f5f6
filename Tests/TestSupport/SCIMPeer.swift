import Foundation

/// A real SCIM service provider for the tests: PyPI's scim2-server (in memory, RFC 7643
/// schemas, User and Group), started on a free loopback port with a bearer token and stopped
/// when this value goes away. scripts/test installs it and exports its path as
/// SCIMSYNC_TEST_SCIM2_SERVER; without that the test fails (it never skips).
public final class SCIMPeer: @unchecked Sendable {
    /// The SCIM base URL, e.g. `http://127.0.0.1:41234`.
    public let url: String
    public let token: String
    private let process: Process

    private init(url: String, token: String, process: Process) {
        self.url = url
        self.token = token
        self.process = process
    }

    /// Starts a server and waits until it listens, sleeping between checks without holding a
    /// thread: tests run on Swift's cooperative pool, two threads on this machine, which a
    /// blocking wait would take from every other test for the second Python needs to start.
    ///
    /// - Parameter arguments: more options for scim2-server (`--service-provider-config FILE`).
    public static func start(arguments: [String] = []) async throws -> SCIMPeer {
        guard let program = ProcessInfo.processInfo.environment["SCIMSYNC_TEST_SCIM2_SERVER"], !program.isEmpty else {
            throw MissingTestServer(variable: "SCIMSYNC_TEST_SCIM2_SERVER", problem: "is not set")
        }
        let token = "test-token-" + UUID().uuidString
        var lastError: (any Error)?
        // A port found free may be taken before the server binds it: try a few.
        for _ in 0..<5 {
            let port = try TestServers.closedPort()
            let process = Process()
            // The test process blocks SIGTERM (its signal handling), and children inherit the
            // mask: started as it is, the server would ignore `terminate()` and outlive the
            // tests. The venv's Python clears the mask, then becomes the server.
            let python = URL(fileURLWithPath: program).deletingLastPathComponent().appendingPathComponent("python3").path
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = [
                "-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1], sys.argv[1:])",
                program, "--hostname", "127.0.0.1", "--port", String(port), "--bearer-token", token,
            ] + arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            do {
                try process.run()
                try await waitForListener(port: port, process: process)
                return SCIMPeer(url: "http://127.0.0.1:\(port)", token: token, process: process)
            } catch {
                lastError = error
                if process.isRunning { process.terminate() }
            }
        }
        throw lastError ?? POSIXError(.EADDRINUSE)
    }

    deinit {
        stop()
    }

    /// Stops the server (its resources are lost: it keeps them in memory). Does not wait:
    /// Foundation's `waitUntilExit` can hang on Linux when called from a deinit on the
    /// cooperative pool, and the exit is reaped by Foundation anyway.
    public func stop() {
        if process.isRunning { process.terminate() }
    }

    /// Waits until the server accepts connections. The bound is for a server that never
    /// comes up, and generous: while every suite starts at once on two cores, this loop itself
    /// may not run for a minute, so it looks once more after the bound before giving up.
    private static func waitForListener(port: Int, process: Process) async throws {
        let deadline = ContinuousClock.now + .seconds(180)
        while true {
            guard process.isRunning else { throw SCIMPeerFailed(reason: "scim2-server exited on start") }
            if canConnect(port: port) { return }
            guard ContinuousClock.now < deadline else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw SCIMPeerFailed(reason: "scim2-server did not listen on port \(port) within 180 s")
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    public static func canConnect(port: Int) -> Bool {
        #if os(Linux)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
                connect(descriptor, generic, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }
}

public struct SCIMPeerFailed: Error, CustomStringConvertible {
    public var reason: String

    public init(reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}

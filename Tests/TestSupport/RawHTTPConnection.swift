import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP connection to a local port that sends raw bytes, for clients that do what no HTTP
/// library does (send headers a byte at a time, start a body and stop). Its calls block, so
/// they run on a thread of their own.
public final class RawHTTPConnection: @unchecked Sendable {
    // The descriptor is used from one thread at a time (each call awaits its own thread).
    private let descriptor: Int32

    public init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(descriptor)
            throw POSIXError(.ECONNREFUSED)
        }
    }

    deinit { close(descriptor) }

    /// Closes the client's side now.
    public func shutdown() {
        Glibc.shutdown(descriptor, Int32(SHUT_RDWR))
    }

    /// Closes the client's sending side only (a TCP FIN), as a client does that has sent its
    /// whole request and still reads the answer.
    public func closeSending() {
        Glibc.shutdown(descriptor, Int32(SHUT_WR))
    }

    /// What the server sends within `window`, without waiting for the connection to close.
    public func received(within window: Duration) async -> String {
        await onThread { [descriptor] in
            let microseconds = window.components.seconds * 1_000_000 + window.components.attoseconds / 1_000_000_000_000
            var timeout = timeval(tv_sec: Int(microseconds / 1_000_000), tv_usec: Int(microseconds % 1_000_000))
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var buffer = [UInt8](repeating: 0, count: 65_536)
            let count = recv(descriptor, &buffer, buffer.count, 0)
            return count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : ""
        }
    }

    /// Sends `text`; false once the server closed the connection.
    public func send(_ text: String) async -> Bool {
        await onThread { [descriptor] in
            let bytes = Array(text.utf8)
            return bytes.withUnsafeBytes { buffer in
                Glibc.send(descriptor, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL)) == buffer.count
            }
        }
    }

    /// What the server sent until it closed the connection, or nil if it did not close it
    /// within `limit` (a bound for a loaded machine, not a measurement).
    public func readUntilClosed(limit: Duration = .seconds(120)) async -> String? {
        await onThread { [descriptor] in
            var timeout = timeval(tv_sec: Int(limit.components.seconds), tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = recv(descriptor, &buffer, buffer.count, 0)
                if count == 0 { return String(decoding: received, as: UTF8.self) }
                if count < 0 {
                    // ECONNRESET is a close too; a timeout is not.
                    return errno == ECONNRESET ? String(decoding: received, as: UTF8.self) : nil
                }
                received += buffer[0..<count]
            }
        }
    }

    private func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: body()) }
        }
    }
}

import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Bytes written straight to the standard output's file descriptor: no `FileHandle`, no
/// `Data` copy, one `write(2)` for as many bytes as the kernel takes.
enum StandardOutput {
    /// The reader of the output is gone (a closed pipe, as in `scimsync tail | head`).
    struct Closed: Error {}

    /// Makes a write to a closed pipe fail with `EPIPE` instead of ending the process with
    /// SIGPIPE, so that the command can stop reading and leave quietly.
    static func ignoreBrokenPipeSignal() {
        signal(SIGPIPE, SIG_IGN)
    }

    /// Writes all of `buffer`, retrying after signals and short writes.
    /// - Throws: ``Closed`` when the reader is gone; a `POSIXError` for any other failure.
    static func writeAll(_ buffer: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < buffer.count {
            let written = write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
            if written >= 0 {
                offset += written
                continue
            }
            switch errno {
            case EINTR:
                continue
            case EAGAIN:
                // A descriptor someone made non-blocking: wait until it takes more.
                var descriptor = pollfd(fd: STDOUT_FILENO, events: Int16(POLLOUT), revents: 0)
                _ = poll(&descriptor, 1, -1)
            case EPIPE:
                throw Closed()
            case let code:
                throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
            }
        }
    }
}

/// Output written through the C library's buffer (`print`) fails only when the buffer is
/// flushed, often at exit, after the command decided it succeeded: `scimsync init-target >
/// schema.sql` on a full disk would exit 0 with an empty file.
enum LostOutput {
    /// At exit, flushes the standard output; if that or an earlier write failed, says so on
    /// the standard error and ends the process with status 2.
    static func check() {
        atexit {
            // Every stream: naming `stdout` here is not concurrency-safe, and a stream whose
            // earlier write failed keeps its bytes and fails again.
            guard fflush(nil) != 0 else { return }
            let code = errno
            // The reader of a pipe is gone (`scimsync tail | head -1`): nobody to tell, and the
            // command's own status stands.
            guard code != EPIPE else { return }
            let message = "scimsync: cannot write the output: \(String(cString: strerror(code)))\n"
            _ = message.utf8CString.withUnsafeBufferPointer { write(STDERR_FILENO, $0.baseAddress, $0.count - 1) }
            _exit(2)
        }
    }
}

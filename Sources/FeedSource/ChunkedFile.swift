import Foundation

/// A file read in fixed-size chunks, so that readers hold a bounded amount of it at a time.
struct ChunkedFile {
    /// The size of the reads; memory holds about one chunk plus one line or record.
    let handle: FileHandle
    let chunkSize: Int

    /// Opens `path` for reading.
    /// - Throws: ``FeedFileError/cannotOpen`` naming the path.
    init(path: String, chunkSize: Int = 64 * 1024) throws(FeedFileError) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .cannotOpen(path: path) }
        self.handle = handle
        self.chunkSize = chunkSize
    }

    /// The next chunk, or nil at the end of the file.
    func next() throws(FeedFileError) -> [UInt8]? {
        do {
            guard let data = try handle.read(upToCount: chunkSize), !data.isEmpty else { return nil }
            return [UInt8](data)
        } catch {
            throw .cannotRead(reason: "\(error)")
        }
    }

    func close() {
        try? handle.close()
    }
}

/// A file of an upload that could not be opened or read.
public enum FeedFileError: Error, Sendable, Hashable, CustomStringConvertible {
    case cannotOpen(path: String)
    case cannotRead(reason: String)

    public var description: String {
        switch self {
        case .cannotOpen(let path): "cannot open \(path) for reading: check that the upload holds it"
        case .cannotRead(let reason): "reading failed: \(reason)"
        }
    }
}

/// Splits a file into lines without holding more than one line (and one chunk) of it.
///
/// Lines end at LF (a CR before it is dropped, for files written on Windows). UTF-16 is split
/// on the code unit 0x000A, so a byte 0x0A inside another character does not end a line.
struct LineSplitter {
    /// A line's bytes (without its break), its 1-based number, or that it was too long.
    enum Line {
        case text(ArraySlice<UInt8>, number: Int)
        /// Longer than the limit: its bytes are dropped up to the next line break.
        case tooLong(number: Int)
    }

    private let file: ChunkedFile
    private let unitSize: Int
    /// UTF-16 only: whether the units are big-endian (from the byte-order mark).
    private(set) var bigEndian = false
    private let maximumLineBytes: Int
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false
    private var lineNumber = 0
    private var skippingLongLine = false

    init(file: ChunkedFile, charset: FeedCharset, maximumLineBytes: Int = 1 << 20) {
        self.file = file
        self.unitSize = charset.unitSize
        self.maximumLineBytes = maximumLineBytes
    }

    /// Reads the byte-order mark UTF-16 needs, and drops a UTF-8 one.
    /// - Returns: false when a UTF-16 file has no byte-order mark.
    mutating func readByteOrderMark(charset: FeedCharset) throws(FeedFileError) -> Bool {
        while buffer.count < 3, !atEnd { try fill() }
        switch charset {
        case .utf16:
            if buffer.starts(with: [0xFE, 0xFF]) {
                bigEndian = true
            } else if buffer.starts(with: [0xFF, 0xFE]) {
                bigEndian = false
            } else {
                return false
            }
            start = 2
        case .utf8:
            if buffer.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        case .iso8859_1, .windows1252:
            break
        }
        return true
    }

    private mutating func fill() throws(FeedFileError) {
        if start > 0, start >= buffer.count / 2 {
            buffer.removeFirst(start)
            start = 0
        }
        if let chunk = try file.next() {
            buffer += chunk
            peakBufferBytes = max(peakBufferBytes, buffer.count)
        } else {
            atEnd = true
        }
    }

    /// The most bytes the buffer held at once: what reading costs in memory, for tests.
    private(set) var peakBufferBytes = 0

    /// Where the next line break starts at or after `from`, if the buffer has one.
    private func lineBreak(from: Int) -> Int? {
        var index = from
        if unitSize == 2 {
            while index + 1 < buffer.count {
                let isLF =
                    bigEndian
                    ? buffer[index] == 0 && buffer[index + 1] == 0x0A : buffer[index] == 0x0A && buffer[index + 1] == 0
                if isLF { return index }
                index += 2
            }
            return nil
        }
        while index < buffer.count {
            if buffer[index] == 0x0A { return index }
            index += 1
        }
        return nil
    }

    private func isCR(at index: Int) -> Bool {
        if unitSize == 2 {
            return bigEndian
                ? buffer[index] == 0 && buffer[index + 1] == 0x0D : buffer[index] == 0x0D && buffer[index + 1] == 0
        }
        return buffer[index] == 0x0D
    }

    /// The next line, or nil after the last. A last line without a break counts; an empty
    /// file has no lines.
    mutating func next() throws(FeedFileError) -> Line? {
        var scanFrom = start
        while true {
            if let end = lineBreak(from: scanFrom) {
                lineNumber += 1
                let lineStart = start
                start = end + unitSize
                if skippingLongLine || end - lineStart > maximumLineBytes {
                    skippingLongLine = false
                    return .tooLong(number: lineNumber)
                }
                var lineEnd = end
                if lineEnd - lineStart >= unitSize, isCR(at: lineEnd - unitSize) { lineEnd -= unitSize }
                return .text(buffer[lineStart..<lineEnd], number: lineNumber)
            }
            if buffer.count - start > maximumLineBytes {
                // Keep memory bounded: forget the line's bytes, remember to report it.
                skippingLongLine = true
                let keep = (buffer.count - start) % unitSize
                start = buffer.count - keep
            }
            if atEnd {
                guard start < buffer.count || skippingLongLine else { return nil }
                lineNumber += 1
                let lineStart = start
                start = buffer.count
                if skippingLongLine || buffer.count - lineStart > maximumLineBytes {
                    skippingLongLine = false
                    return .tooLong(number: lineNumber)
                }
                var lineEnd = buffer.count
                if lineEnd - lineStart >= unitSize, isCR(at: lineEnd - unitSize) { lineEnd -= unitSize }
                return .text(buffer[lineStart..<lineEnd], number: lineNumber)
            }
            // Go on scanning after what was already looked at (in whole code units): filling may
            // move the buffer's bytes, so remember it relative to the line's start.
            let scanned = (buffer.count - start) - (buffer.count - start) % unitSize
            try fill()
            scanFrom = start + scanned
        }
    }
}

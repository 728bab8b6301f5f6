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
/// Lines end at LF, CR LF (Windows) or a CR alone (the classic Mac OS, which spreadsheets
/// still write as "CSV for Macintosh"), as Python's universal newlines and RFC 4180 readers
/// take them: a file of CR-terminated lines is not one long line, and a CR doubled before LF
/// leaves an empty line, which readers skip, rather than a CR in the last cell. UTF-16 is
/// split on the code units 0x000A and 0x000D, so a byte 0x0A inside another character does
/// not end a line.
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

    /// The code unit at `index` (a byte, or a UTF-16 unit in the file's byte order).
    private func unit(at index: Int) -> UInt16 {
        guard unitSize == 2 else { return UInt16(buffer[index]) }
        return bigEndian
            ? UInt16(buffer[index]) << 8 | UInt16(buffer[index + 1]) : UInt16(buffer[index + 1]) << 8 | UInt16(buffer[index])
    }

    /// A line break found in the buffer: where it starts and how many bytes it takes.
    private enum Break {
        case at(Int, length: Int)
        /// A CR is the buffer's last unit: whether an LF follows is in the next chunk.
        case undecided(Int)
    }

    /// The next line break at or after `from`, if the buffer has one.
    private func lineBreak(from: Int) -> Break? {
        var index = from
        while index + unitSize <= buffer.count {
            switch unit(at: index) {
            case 0x0A:
                return .at(index, length: unitSize)
            case 0x0D:
                let next = index + unitSize
                guard next + unitSize <= buffer.count else { return atEnd ? .at(index, length: unitSize) : .undecided(index) }
                return .at(index, length: unit(at: next) == 0x0A ? 2 * unitSize : unitSize)
            default:
                index += unitSize
            }
        }
        return nil
    }

    /// The next line, or nil after the last. A last line without a break counts; an empty
    /// file has no lines.
    mutating func next() throws(FeedFileError) -> Line? {
        var scanFrom = start
        while true {
            let found = lineBreak(from: scanFrom)
            if case .at(let end, let length)? = found {
                lineNumber += 1
                let lineStart = start
                start = end + length
                if skippingLongLine || end - lineStart > maximumLineBytes {
                    skippingLongLine = false
                    return .tooLong(number: lineNumber)
                }
                return .text(buffer[lineStart..<end], number: lineNumber)
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
                return .text(buffer[lineStart..<buffer.count], number: lineNumber)
            }
            // Go on scanning after what was already looked at (in whole code units; from an
            // undecided CR itself): filling may move the buffer's bytes, so remember it
            // relative to the line's start.
            let scanned: Int
            if case .undecided(let cr)? = found, cr >= start {
                scanned = cr - start
            } else {
                scanned = (buffer.count - start) - (buffer.count - start) % unitSize
            }
            try fill()
            scanFrom = start + scanned
        }
    }
}

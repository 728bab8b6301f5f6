import Directory
import MySQLBinlog

/// Folds every decoded value into a number, so that the optimiser cannot skip decoding and two
/// runs (before and after a change to the decoder) can be compared.
///
/// `.light` touches each value the way a consumer would (lengths of text, fields of dates, the
/// integers themselves); `.full` also hashes every byte of text and binary values (FNV-1a), for
/// checking that a change to the decoder left its output identical.
struct ValueDigest {
    enum Depth {
        case light, full
    }

    let depth: Depth
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    init(depth: Depth) {
        self.depth = depth
    }

    @inline(__always)
    private mutating func mix(_ number: UInt64) {
        value = (value ^ number) &* 0x100_0000_01b3
    }

    private mutating func mix(text: String) {
        switch depth {
        case .light:
            mix(UInt64(text.utf8.count))
        case .full:
            mix(UInt64(text.utf8.count))
            for byte in text.utf8 { mix(UInt64(byte)) }
        }
    }

    private mutating func mix(date: SQLDate) {
        mix(UInt64(bitPattern: Int64(date.year << 9 | date.month << 5 | date.day)))
    }

    private mutating func mix(dateTime: SQLDateTime) {
        mix(date: dateTime.date)
        mix(UInt64(bitPattern: Int64(dateTime.hour << 12 | dateTime.minute << 6 | dateTime.second)))
        mix(UInt64(bitPattern: Int64(dateTime.microsecond)))
    }

    /// A chunk of written lines: its length, and with `.full` every byte.
    mutating func add(lineBytes bytes: UnsafeRawBufferPointer) {
        mix(UInt64(bytes.count))
        guard depth == .full else { return }
        for byte in bytes { mix(UInt64(byte)) }
    }

    mutating func add(_ values: [BinlogValue]) {
        mix(UInt64(values.count))
        for value in values {
            add(value)
        }
    }

    mutating func add(_ value: BinlogValue) {
        switch value {
        case .null: mix(1)
        case .absent: mix(2)
        case .int(let number): mix(UInt64(bitPattern: number))
        case .uint(let number): mix(number)
        case .float(let number): mix(UInt64(number.bitPattern))
        case .double(let number): mix(number.bitPattern)
        case .decimal(let text): mix(text: text)
        case .text(let text): mix(text: text)
        case .bytes(let bytes):
            mix(UInt64(bytes.count))
            if depth == .full {
                for byte in bytes { mix(UInt64(byte)) }
            }
        case .bits(let bits, let width):
            mix(bits)
            mix(UInt64(width))
        case .year(let year): mix(UInt64(bitPattern: Int64(year)))
        case .date(let date): mix(date: date)
        case .time(let time):
            mix(time.negative ? 1 : 0)
            mix(UInt64(bitPattern: Int64(time.hours << 12 | time.minutes << 6 | time.seconds)))
            mix(UInt64(bitPattern: Int64(time.microseconds)))
        case .dateTime(let dateTime): mix(dateTime: dateTime)
        case .timestamp(let dateTime): mix(dateTime: dateTime)
        case .json(let text): mix(text: text)
        case .enumeration(let member): mix(text: member)
        case .enumIndex(let index): mix(UInt64(bitPattern: Int64(index)))
        case .set(let members):
            mix(UInt64(members.count))
            for member in members { mix(text: member) }
        case .setBits(let bits): mix(bits)
        }
    }
}

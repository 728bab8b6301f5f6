import Directory

/// Dates and times in row images (MySQL `sql-common/my_time.cc`, `field.cc`).
enum TemporalValue {
    /// DATE: 3 bytes little-endian, day(5 bits) month(4) year(rest) (`Field_newdate`).
    static func date(_ reader: inout ByteReader) throws(ShortRead) -> SQLDate {
        let value = try reader.readUInt(byteCount: 3)
        return SQLDate(year: Int(value >> 9), month: Int(value >> 5 & 0xF), day: Int(value & 0x1F))
    }

    /// Fractional seconds after TIME2/DATETIME2/TIMESTAMP2: (fsp + 1) / 2 big-endian bytes,
    /// in units of 10^-(2·bytes) seconds (`my_time.cc`, `my_datetime_packed_from_binary`).
    static func fractionBytes(_ fsp: Int) -> Int { (fsp + 1) / 2 }

    /// TIME2: 3 bytes big-endian, offset by 0x800000: sign(1) unused(1) hour(10) minute(6)
    /// second(6), then the fraction. A negative time with a fraction borrows one second from
    /// the integer part (`my_time_packed_from_binary`).
    static func time2(_ reader: inout ByteReader, fsp: Int) throws(ShortRead) -> SQLTime {
        try reader.ensure(3 + fractionBytes(fsp))
        var packed: Int64
        switch fsp {
        case 0:
            packed = (Int64(try reader.readUIntBigEndian(byteCount: 3)) - 0x80_0000) << 24
        case 1, 2:
            var integer = Int64(try reader.readUIntBigEndian(byteCount: 3)) - 0x80_0000
            var fraction = Int64(try reader.readUInt8())
            if integer < 0, fraction != 0 {
                integer += 1
                fraction -= 0x100
            }
            packed = (integer << 24) + fraction * 10_000
        case 3, 4:
            var integer = Int64(try reader.readUIntBigEndian(byteCount: 3)) - 0x80_0000
            var fraction = Int64(try reader.readUIntBigEndian(byteCount: 2))
            if integer < 0, fraction != 0 {
                integer += 1
                fraction -= 0x10000
            }
            packed = (integer << 24) + fraction * 100
        default:
            packed = Int64(try reader.readUIntBigEndian(byteCount: 6)) - 0x8000_0000_0000
        }
        // TIME_from_longlong_time_packed
        let negative = packed < 0
        if negative { packed = -packed }
        let hms = packed >> 24
        return SQLTime(
            negative: negative, hours: Int(hms >> 12 & 0x3FF), minutes: Int(hms >> 6 & 0x3F),
            seconds: Int(hms & 0x3F), microseconds: Int(packed & 0xFF_FFFF)
        )
    }

    /// DATETIME2: 5 bytes big-endian, offset by 0x8000000000: sign(1) year*13+month(17) day(5)
    /// hour(5) minute(6) second(6), then the fraction (`TIME_from_longlong_datetime_packed`).
    static func dateTime2(_ reader: inout ByteReader, fsp: Int) throws(ShortRead) -> SQLDateTime {
        try reader.ensure(5 + fractionBytes(fsp))
        let integer = Int64(try reader.readUIntBigEndian(byteCount: 5)) - 0x80_0000_0000
        let fraction = try fractionMicroseconds(&reader, fsp: fsp, signed: false)
        let ymdhms = integer < 0 ? -integer : integer
        let ymd = ymdhms >> 17
        let yearMonth = ymd >> 5
        let hms = ymdhms & 0x1FFFF
        return SQLDateTime(
            date: SQLDate(year: Int(yearMonth / 13), month: Int(yearMonth % 13), day: Int(ymd & 0x1F)),
            hour: Int(hms >> 12), minute: Int(hms >> 6 & 0x3F), second: Int(hms & 0x3F), microsecond: fraction
        )
    }

    /// TIMESTAMP2: seconds since 1970 as 4 bytes big-endian, then the fraction
    /// (`my_timestamp_from_binary`). 0 is the zero timestamp `0000-00-00 00:00:00`.
    static func timestamp2(_ reader: inout ByteReader, fsp: Int) throws(ShortRead) -> SQLDateTime {
        try reader.ensure(4 + fractionBytes(fsp))
        let seconds = Int64(try reader.readUIntBigEndian(byteCount: 4))
        let fraction = try fractionMicroseconds(&reader, fsp: fsp, signed: true)
        return utc(seconds: seconds, microsecond: fraction)
    }

    private static func fractionMicroseconds(_ reader: inout ByteReader, fsp: Int, signed: Bool) throws(ShortRead) -> Int {
        switch fsp {
        case 0: return 0
        case 1, 2: return Int(try reader.readUInt8()) * 10_000
        case 3, 4:
            let value = signed ? try reader.readIntBigEndian(byteCount: 2) : Int64(try reader.readUIntBigEndian(byteCount: 2))
            return Int(value) * 100
        default:
            let value = signed ? try reader.readIntBigEndian(byteCount: 3) : Int64(try reader.readUIntBigEndian(byteCount: 3))
            return Int(value)
        }
    }

    /// TIMESTAMP (pre-5.6 format): seconds since 1970, 4 bytes little-endian.
    static func timestamp(_ reader: inout ByteReader) throws(ShortRead) -> SQLDateTime {
        utc(seconds: Int64(try reader.readUInt32()), microsecond: 0)
    }

    /// TIME (pre-5.6 format): 3 bytes little-endian signed, the decimal number HHMMSS.
    static func time(_ reader: inout ByteReader) throws(ShortRead) -> SQLTime {
        let value = try reader.readInt(byteCount: 3)
        let magnitude = value < 0 ? -value : value
        return SQLTime(
            negative: value < 0, hours: Int(magnitude / 10000), minutes: Int(magnitude / 100 % 100),
            seconds: Int(magnitude % 100)
        )
    }

    /// DATETIME (pre-5.6 format): 8 bytes little-endian, the decimal number YYYYMMDDhhmmss.
    static func dateTime(_ reader: inout ByteReader) throws(ShortRead) -> SQLDateTime {
        let value = try reader.readUInt64()
        let date = value / 1_000_000
        let time = value % 1_000_000
        return SQLDateTime(
            date: SQLDate(year: Int(date / 10000), month: Int(date / 100 % 100), day: Int(date % 100)),
            hour: Int(time / 10000), minute: Int(time / 100 % 100), second: Int(time % 100)
        )
    }

    /// A UTC calendar time from seconds since 1970; 0 is MySQL's zero timestamp.
    static func utc(seconds: Int64, microsecond: Int) -> SQLDateTime {
        if seconds == 0 && microsecond == 0 {
            return SQLDateTime(date: SQLDate(year: 0, month: 0, day: 0), hour: 0, minute: 0, second: 0)
        }
        return SQLDateTime(secondsAsUTC: seconds, microsecond: microsecond)
    }
}

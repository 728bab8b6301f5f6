import CMariaDB
import Directory

/// Binds `SQLValue`s to prepared-statement parameters. The server converts each bound value to
/// the type the statement needs, as it would a literal of the bound type.
enum MariaDBParameter {
    static func bind(_ value: SQLValue, to bind: inout MYSQL_BIND, storage: BindStorage) {
        switch value {
        case .null:
            bind.buffer_type = MYSQL_TYPE_NULL
        case .bool(let flag):
            setInteger(flag ? 1 : 0, unsigned: false, in: &bind, storage: storage)
        case .int(let number):
            setInteger(UInt64(bitPattern: number), unsigned: false, in: &bind, storage: storage)
        case .uint(let number):
            setInteger(number, unsigned: true, in: &bind, storage: storage)
        case .bits(let number, _):
            // BIT columns accept an integer; the width is the column's business.
            setInteger(number, unsigned: true, in: &bind, storage: storage)
        case .double(let number):
            let buffer = storage.allocate(Double.self)
            buffer.pointee = number
            bind.buffer_type = MYSQL_TYPE_DOUBLE
            bind.buffer = UnsafeMutableRawPointer(buffer)
            bind.buffer_length = UInt(MemoryLayout<Double>.size)
        case .decimal(let text):
            // Sent as text, so no digit is lost on the way (MySQL docs, "C API Prepared
            // Statement Type Codes": MYSQL_TYPE_NEWDECIMAL takes a char[] buffer).
            setBytes(text.utf8, type: MYSQL_TYPE_NEWDECIMAL, in: &bind, storage: storage)
        case .text(let text), .json(let text):
            setBytes(text.utf8, type: MYSQL_TYPE_STRING, in: &bind, storage: storage)
        case .bytes(let bytes):
            setBytes(bytes, type: MYSQL_TYPE_BLOB, in: &bind, storage: storage)
        case .date(let date):
            var time = MYSQL_TIME()
            setDate(date, in: &time)
            time.time_type = MYSQL_TIMESTAMP_DATE
            setTime(time, type: MYSQL_TYPE_DATE, in: &bind, storage: storage)
        case .time(let value):
            var time = MYSQL_TIME()
            // The binary protocol sends hours as one byte next to a day count.
            time.day = UInt32(clamping: value.hours / 24)
            time.hour = UInt32(clamping: value.hours % 24)
            time.minute = UInt32(clamping: value.minutes)
            time.second = UInt32(clamping: value.seconds)
            time.second_part = UInt(clamping: value.microseconds)
            time.neg = value.negative ? 1 : 0
            time.time_type = MYSQL_TIMESTAMP_TIME
            setTime(time, type: MYSQL_TYPE_TIME, in: &bind, storage: storage)
        case .dateTime(let value):
            setTime(dateTime(value), type: MYSQL_TYPE_DATETIME, in: &bind, storage: storage)
        case .timestamp(let value):
            // Interpreted in the session time zone, which MariaDBConnection sets to UTC.
            setTime(dateTime(value), type: MYSQL_TYPE_TIMESTAMP, in: &bind, storage: storage)
        }
    }

    private static func setInteger(_ number: UInt64, unsigned: Bool, in bind: inout MYSQL_BIND, storage: BindStorage) {
        let buffer = storage.allocate(UInt64.self)
        buffer.pointee = number
        bind.buffer_type = MYSQL_TYPE_LONGLONG
        bind.is_unsigned = unsigned ? 1 : 0
        bind.buffer = UnsafeMutableRawPointer(buffer)
        bind.buffer_length = UInt(MemoryLayout<UInt64>.size)
    }

    private static func setBytes(
        _ bytes: some Collection<UInt8>, type: enum_field_types, in bind: inout MYSQL_BIND, storage: BindStorage
    ) {
        bind.buffer_type = type
        bind.buffer = UnsafeMutableRawPointer(storage.copy(bytes))
        // With `length` NULL, Connector/C takes the value's length from buffer_length.
        bind.buffer_length = UInt(bytes.count)
    }

    private static func setTime(
        _ time: MYSQL_TIME, type: enum_field_types, in bind: inout MYSQL_BIND, storage: BindStorage
    ) {
        let buffer = storage.allocate(MYSQL_TIME.self)
        buffer.pointee = time
        bind.buffer_type = type
        bind.buffer = UnsafeMutableRawPointer(buffer)
        bind.buffer_length = UInt(MemoryLayout<MYSQL_TIME>.size)
    }

    private static func setDate(_ date: SQLDate, in time: inout MYSQL_TIME) {
        time.year = UInt32(clamping: date.year)
        time.month = UInt32(clamping: date.month)
        time.day = UInt32(clamping: date.day)
    }

    private static func dateTime(_ value: SQLDateTime) -> MYSQL_TIME {
        var time = MYSQL_TIME()
        setDate(value.date, in: &time)
        time.hour = UInt32(clamping: value.hour)
        time.minute = UInt32(clamping: value.minute)
        time.second = UInt32(clamping: value.second)
        time.second_part = UInt(clamping: value.microsecond)
        time.time_type = MYSQL_TIMESTAMP_DATETIME
        return time
    }
}

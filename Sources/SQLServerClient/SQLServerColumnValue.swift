import CFreeTDS
import Directory

/// Turns one column value of the current row, as db-lib holds it, into a `SQLValue`.
///
/// db-lib reports column types as "cardinal" types (src/dblib/dblib.c, dblib_coltype):
/// CHAR/VARCHAR/NCHAR/NVARCHAR as SYBCHAR, (n)varchar(max) and (n)text as SYBCHAR or SYBTEXT,
/// both already converted to the client charset (UTF-8); BINARY/VARBINARY as SYBBINARY,
/// varbinary(max) and image as SYBIMAGE; INTN by its width (SYBINT1 ... SYBINT8).
enum SQLServerColumnValue {
    static func value(dbproc: OpaquePointer, column: Int32) -> SQLValue {
        let type = Int(dbcoltype(dbproc, column))
        guard let data = dbdata(dbproc, column) else { return .null }
        let length = Int(dbdatlen(dbproc, column))
        let raw = UnsafeRawPointer(data)
        switch type {
        case SYBINT1:
            return .int(Int64(raw.load(as: UInt8.self)))
        case SYBINT2:
            return .int(Int64(raw.loadUnaligned(as: Int16.self)))
        case SYBINT4:
            return .int(Int64(raw.loadUnaligned(as: Int32.self)))
        case SYBINT8:
            return .int(raw.loadUnaligned(as: Int64.self))
        case SYBBIT, SYBBITN:
            return .bool(raw.load(as: UInt8.self) != 0)
        case SYBFLT8:
            return .double(raw.loadUnaligned(as: Double.self))
        case SYBREAL:
            return .double(Double(raw.loadUnaligned(as: Float.self)))
        case SYBCHAR, SYBVARCHAR, SYBTEXT, SYBNTEXT, SYBNVARCHAR:
            return .text(String(decoding: UnsafeRawBufferPointer(start: raw, count: length), as: UTF8.self))
        case SYBBINARY, SYBVARBINARY, SYBIMAGE:
            return .bytes(Array(UnsafeRawBufferPointer(start: raw, count: length)))
        case uniqueIdentifierType:
            guard length == 16 else { return converted(dbproc, type, data, length) }
            return .text(uniqueIdentifierText(Array(UnsafeRawBufferPointer(start: raw, count: 16))))
        case SYBDECIMAL, SYBNUMERIC, SYBMONEY, SYBMONEY4:
            guard case .text(let text) = converted(dbproc, type, data, length) else { return .null }
            return .decimal(text)
        case SYBDATETIME, SYBDATETIME4, SYBMSDATETIME2:
            return cracked(dbproc, type, data).map { .dateTime($0) } ?? converted(dbproc, type, data, length)
        case SYBMSDATE:
            return cracked(dbproc, type, data).map { .date($0.date) } ?? converted(dbproc, type, data, length)
        case SYBMSTIME:
            guard let value = cracked(dbproc, type, data) else { return converted(dbproc, type, data, length) }
            return .time(SQLTime(hours: value.hour, minutes: value.minute, seconds: value.second, microseconds: value.microsecond))
        default:
            // DATETIMEOFFSET, SQL_VARIANT, XML, ...: db-lib's text form.
            return converted(dbproc, type, data, length)
        }
    }

    /// SYBUNIQUE, UNIQUEIDENTIFIER: 0x24 in FreeTDS's include/freetds/proto.h, which sybdb.h does
    /// not copy ("copied from tds.h" covers the other types).
    static let uniqueIdentifierType = 0x24

    /// The canonical lowercase form of a UNIQUEIDENTIFIER. Its 16 bytes are a GUID in
    /// Microsoft's layout: Data1 (4 bytes), Data2 and Data3 (2 bytes each) little-endian, then
    /// Data4's 8 bytes in order ([MS-DTYP] 2.3.4.2 "GUID--Packet Representation").
    static func uniqueIdentifierText(_ bytes: [UInt8]) -> String {
        precondition(bytes.count == 16, "a GUID has 16 bytes")
        let order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15]
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(36)
        for (position, index) in order.enumerated() {
            if position == 4 || position == 6 || position == 8 || position == 10 { text.append(UInt8(ascii: "-")) }
            text.append(digits[Int(bytes[index] >> 4)])
            text.append(digits[Int(bytes[index] & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// A date and time from dbanydatecrack, which handles DATETIME, SMALLDATETIME and the
    /// TDS 7.3 types alike. With dbopen's Sybase conventions (msdblib 0) months count from 0
    /// ("datemonth 0 - 11", sybdb.h) and the fraction is in nanoseconds ("datensecond").
    private static func cracked(_ dbproc: OpaquePointer, _ type: Int, _ data: UnsafeMutablePointer<BYTE>) -> SQLDateTime? {
        var record = DBDATEREC2()
        guard dbanydatecrack(dbproc, &record, Int32(type), data) == SUCCEED else { return nil }
        return dateTime(from: record)
    }

    static func dateTime(from record: DBDATEREC2) -> SQLDateTime {
        SQLDateTime(
            date: SQLDate(year: Int(record.dateyear), month: Int(record.datemonth) + 1, day: Int(record.datedmonth)),
            hour: Int(record.datehour), minute: Int(record.dateminute), second: Int(record.datesecond),
            // SQLDateTime keeps microseconds; DATETIME2(7)'s last digit (100 ns) is dropped.
            microsecond: Int(record.datensecond) / 1000
        )
    }

    /// db-lib's own text for a value (dbconvert to SYBCHAR), for types without a closer case.
    private static func converted(
        _ dbproc: OpaquePointer, _ type: Int, _ data: UnsafeMutablePointer<BYTE>, _ length: Int
    ) -> SQLValue {
        var buffer = [UInt8](repeating: 0, count: max(length * 4, 64) + 1)
        let count = buffer.withUnsafeMutableBufferPointer { out in
            dbconvert(dbproc, Int32(type), data, DBINT(length), Int32(SYBCHAR), out.baseAddress, DBINT(out.count - 1))
        }
        guard count >= 0 else { return .null }
        return .text(String(decoding: buffer.prefix(Int(count)), as: UTF8.self))
    }
}

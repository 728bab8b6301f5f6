import Directory

/// MySQL's binary JSON (`sql-common/json_binary.h`) rendered as the text `SELECT` returns
/// (`Json_wrapper::to_string`: `", "` and `": "` separators, keys in stored order).
///
/// A value is a type byte and its data. Objects and arrays hold element count and byte size
/// (2 bytes each in the small form, 4 in the large), then key entries (offset, 2-byte length),
/// then value entries (type byte and offset, or the value itself when it fits: literals and
/// 16-bit integers, and 32-bit integers in the large form). Offsets count from the start of
/// the object. Strings have a variable-length length (7 bits per byte, low groups first).
enum MySQLJSON {
    enum Malformed: Error { case malformed }

    static let smallObject: UInt8 = 0x00
    static let largeObject: UInt8 = 0x01
    static let smallArray: UInt8 = 0x02
    static let largeArray: UInt8 = 0x03
    static let literal: UInt8 = 0x04
    static let int16: UInt8 = 0x05
    static let uint16: UInt8 = 0x06
    static let int32: UInt8 = 0x07
    static let uint32: UInt8 = 0x08
    static let int64: UInt8 = 0x09
    static let uint64: UInt8 = 0x0A
    static let double: UInt8 = 0x0B
    static let string: UInt8 = 0x0C
    static let opaque: UInt8 = 0x0F

    /// The JSON text of a binary document; an empty document is JSON `null` (how MySQL stores
    /// a JSON column set from an empty string in non-strict mode).
    static func text(_ bytes: UnsafeRawBufferPointer) throws -> String {
        guard let type = bytes.first else { return "null" }
        var out = ""
        out.reserveCapacity(bytes.count * 2)
        try append(type: type, data: UnsafeRawBufferPointer(rebasing: bytes[1...]), to: &out, depth: 0)
        return out
    }

    private static func append(type: UInt8, data: UnsafeRawBufferPointer, to out: inout String, depth: Int) throws {
        guard depth < 150 else { throw Malformed.malformed }  // MySQL's own nesting limit is 100
        var reader = ByteReader(data)
        switch type {
        case smallObject, largeObject, smallArray, largeArray:
            try appendContainer(type: type, data: data, to: &out, depth: depth)
        case literal:
            switch try reader.readUInt8() {
            case 0: out += "null"
            case 1: out += "true"
            case 2: out += "false"
            default: throw Malformed.malformed
            }
        case int16: out += String(try reader.readInt(byteCount: 2))
        case uint16: out += String(try reader.readUInt(byteCount: 2))
        case int32: out += String(try reader.readInt(byteCount: 4))
        case uint32: out += String(try reader.readUInt(byteCount: 4))
        case int64: out += String(try reader.readInt(byteCount: 8))
        case uint64: out += String(try reader.readUInt64())
        case double: out += formatDouble(Double(bitPattern: try reader.readUInt64()))
        case string:
            let length = try variableLength(&reader)
            appendQuoted(try reader.readBytes(length), to: &out)
        case opaque:
            let fieldType = try reader.readUInt8()
            let length = try variableLength(&reader)
            try appendOpaque(fieldType: fieldType, bytes: try reader.readBytes(length), to: &out)
        default:
            throw Malformed.malformed
        }
    }

    private static func appendContainer(type: UInt8, data: UnsafeRawBufferPointer, to out: inout String, depth: Int) throws {
        let large = type == largeObject || type == largeArray
        let isObject = type == smallObject || type == largeObject
        let width = large ? 4 : 2
        var reader = ByteReader(data)
        let count = Int(try reader.readUInt(byteCount: width))
        let size = Int(try reader.readUInt(byteCount: width))
        guard size <= data.count else { throw Malformed.malformed }
        let keyEntrySize = width + 2
        let valueEntrySize = 1 + width
        let keysStart = 2 * width
        let valuesStart = keysStart + (isObject ? count * keyEntrySize : 0)
        guard valuesStart + count * valueEntrySize <= size else { throw Malformed.malformed }

        out += isObject ? "{" : "["
        for index in 0..<count {
            if index > 0 { out += ", " }
            if isObject {
                var key = ByteReader(data, offset: keysStart + index * keyEntrySize)
                let keyOffset = Int(try key.readUInt(byteCount: width))
                let keyLength = Int(try key.readUInt16())
                guard keyOffset + keyLength <= size else { throw Malformed.malformed }
                appendQuoted(UnsafeRawBufferPointer(rebasing: data[keyOffset..<(keyOffset + keyLength)]), to: &out)
                out += ": "
            }
            var entry = ByteReader(data, offset: valuesStart + index * valueEntrySize)
            let valueType = try entry.readUInt8()
            let inlined: Bool
            switch valueType {
            case literal, int16, uint16: inlined = true
            case int32, uint32: inlined = large
            default: inlined = false
            }
            if inlined {
                let slice = try entry.readBytes(width)
                try append(type: valueType, data: slice, to: &out, depth: depth + 1)
            } else {
                let offset = Int(try entry.readUInt(byteCount: width))
                guard offset < size else { throw Malformed.malformed }
                try append(type: valueType, data: UnsafeRawBufferPointer(rebasing: data[offset..<size]), to: &out, depth: depth + 1)
            }
        }
        out += isObject ? "}" : "]"
    }

    /// 7 bits per byte, least significant group first, high bit set on all but the last byte;
    /// at most 5 bytes (`read_variable_length`).
    private static func variableLength(_ reader: inout ByteReader) throws -> Int {
        var length = 0
        for index in 0..<5 {
            let byte = try reader.readUInt8()
            length |= Int(byte & 0x7F) << (7 * index)
            if byte & 0x80 == 0 {
                guard length <= reader.remaining else { throw Malformed.malformed }
                return length
            }
        }
        throw Malformed.malformed
    }

    /// Opaque values carry a MySQL field type: DECIMAL (precision, scale, binary decimal) and
    /// the temporal types (8-byte packed integers, `TIME_from_longlong_*_packed`) print as
    /// MySQL prints them; anything else as MySQL's `"base64:typeNN:..."`.
    private static func appendOpaque(fieldType: UInt8, bytes: UnsafeRawBufferPointer, to out: inout String) throws {
        var reader = ByteReader(bytes)
        switch ColumnType(rawValue: fieldType) {
        case .newDecimal:
            let precision = Int(try reader.readUInt8())
            let scale = Int(try reader.readUInt8())
            guard (1...65).contains(precision), scale <= precision else { throw Malformed.malformed }
            out += try DecimalValue.read(&reader, precision: precision, scale: scale)
        case .date, .dateTime, .timestamp, .dateTime2, .timestamp2, .newDate:
            let packed = try reader.readInt(byteCount: 8)
            let text = packedDateTimeText(packed, dateOnly: ColumnType(rawValue: fieldType) == .date)
            out += "\"\(text)\""
        case .time, .time2:
            out += "\"\(packedTimeText(try reader.readInt(byteCount: 8)))\""
        default:
            out += "\"base64:type\(fieldType):\(Base64.encode(Array(bytes)))\""
        }
    }

    static func packedDateTimeText(_ packed: Int64, dateOnly: Bool) -> String {
        let magnitude = packed < 0 ? -packed : packed
        let ymdhms = magnitude >> 24
        let micro = Int(magnitude & 0xFF_FFFF)
        let ymd = ymdhms >> 17
        let yearMonth = ymd >> 5
        let hms = ymdhms & 0x1FFFF
        let date = "\(pad(Int(yearMonth / 13), 4))-\(pad(Int(yearMonth % 13), 2))-\(pad(Int(ymd & 0x1F), 2))"
        if dateOnly { return date }
        return date + " \(pad(Int(hms >> 12), 2)):\(pad(Int(hms >> 6 & 0x3F), 2)):\(pad(Int(hms & 0x3F), 2)).\(pad(micro, 6))"
    }

    static func packedTimeText(_ packed: Int64) -> String {
        let negative = packed < 0
        let magnitude = negative ? -packed : packed
        let hms = magnitude >> 24
        let micro = Int(magnitude & 0xFF_FFFF)
        return (negative ? "-" : "")
            + "\(pad(Int(hms >> 12 & 0x3FF), 2)):\(pad(Int(hms >> 6 & 0x3F), 2)):\(pad(Int(hms & 0x3F), 2)).\(pad(micro, 6))"
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// MySQL prints doubles with the shortest text that reads back the same (`my_gcvt`), in
    /// exponent form `1e20` style from 1e15 up and below 1e-4 roughly as `%g`; Swift's
    /// shortest form matches it except for the exponent spelling, which we align.
    static func formatDouble(_ value: Double) -> String {
        var text = "\(value)"
        if text.hasSuffix(".0") { text.removeLast(2) }
        if let e = text.firstIndex(of: "e") {
            var mantissa = String(text[..<e])
            if mantissa.hasSuffix(".0") { mantissa.removeLast(2) }
            var exponent = String(text[text.index(after: e)...])
            var sign = ""
            if exponent.hasPrefix("+") { exponent.removeFirst() }
            if exponent.hasPrefix("-") {
                sign = "-"
                exponent.removeFirst()
            }
            while exponent.count > 1, exponent.hasPrefix("0") { exponent.removeFirst() }
            exponent = sign + exponent
            text = mantissa + "e" + exponent
        }
        return text
    }

    static func appendQuoted(_ bytes: UnsafeRawBufferPointer, to out: inout String) {
        out += "\""
        let hex = Array("0123456789abcdef")
        var plainStart = 0
        for (index, byte) in bytes.enumerated() {
            let escape: String?
            switch byte {
            case 0x22: escape = "\\\""
            case 0x5C: escape = "\\\\"
            case 0x08: escape = "\\b"
            case 0x0C: escape = "\\f"
            case 0x0A: escape = "\\n"
            case 0x0D: escape = "\\r"
            case 0x09: escape = "\\t"
            case 0..<0x20: escape = "\\u00" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0xF)])
            default: escape = nil
            }
            if let escape {
                out += String(decoding: UnsafeRawBufferPointer(rebasing: bytes[plainStart..<index]), as: UTF8.self)
                out += escape
                plainStart = index + 1
            }
        }
        out += String(decoding: UnsafeRawBufferPointer(rebasing: bytes[plainStart...]), as: UTF8.self)
        out += "\""
    }
}

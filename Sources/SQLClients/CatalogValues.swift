import Directory

/// Reading catalog query results (information_schema, pragmas), whose columns are text or
/// integers but whose exact SQL type varies between servers and versions.
extension Row {
    /// The value at `index` as text: text and bytes decoded as UTF-8, numbers in decimal;
    /// nil for NULL and for values with no obvious text form.
    func catalogText(_ index: Int) -> String? {
        switch values[index] {
        case .text(let text), .decimal(let text), .json(let text): text
        case .bytes(let bytes): String(decoding: bytes, as: UTF8.self)
        case .int(let number): String(number)
        case .uint(let number): String(number)
        case .bool(let flag): flag ? "1" : "0"
        case .null, .double, .bits, .date, .time, .dateTime, .timestamp: nil
        }
    }

    /// The value at `index` as an integer (integers, booleans, or digits in text).
    func catalogInteger(_ index: Int) -> Int64? {
        switch values[index] {
        case .int(let number): number
        case .uint(let number): Int64(exactly: number)
        case .bool(let flag): flag ? 1 : 0
        case .text, .decimal, .bytes: catalogText(index).flatMap { Int64($0) }
        case .null, .double, .bits, .date, .time, .dateTime, .timestamp, .json: nil
        }
    }
}

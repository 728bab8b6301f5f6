/// MySQL field type codes (`enum_field_types` in `mysql_com.h` / `field_types.h`), as they
/// appear in TABLE_MAP events.
public enum ColumnType: UInt8, Sendable, Hashable, CaseIterable {
    case decimal = 0
    case tiny = 1
    case short = 2
    case long = 3
    case float = 4
    case double = 5
    case null = 6
    case timestamp = 7
    case longLong = 8
    case int24 = 9
    case date = 10
    case time = 11
    case dateTime = 12
    case year = 13
    case newDate = 14
    case varchar = 15
    case bit = 16
    case timestamp2 = 17
    case dateTime2 = 18
    case time2 = 19
    case typedArray = 20
    case vector = 242
    case invalid = 243
    case bool = 244
    case json = 245
    case newDecimal = 246
    case enumeration = 247
    case set = 248
    case tinyBlob = 249
    case mediumBlob = 250
    case longBlob = 251
    case blob = 252
    case varString = 253
    case string = 254
    case geometry = 255

    /// Bytes of TABLE_MAP metadata this type carries (MySQL `Table_map_log_event`
    /// "column types" table; `log_event.cc`, `Table_map_log_event::save_field_metadata`).
    var metadataLength: Int {
        switch self {
        case .float, .double, .blob, .tinyBlob, .mediumBlob, .longBlob, .geometry, .json, .vector,
            .timestamp2, .dateTime2, .time2:
            1
        case .varchar, .varString, .bit, .newDecimal, .string, .enumeration, .set:
            2
        case .decimal, .tiny, .short, .long, .null, .timestamp, .longLong, .int24, .date, .time,
            .dateTime, .year, .newDate, .typedArray, .invalid, .bool:
            0
        }
    }
}

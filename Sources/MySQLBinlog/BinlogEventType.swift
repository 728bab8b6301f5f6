/// The event type codes of binlog format v4, from MySQL's `binlog_event.h` (`Log_event_type`)
/// and MariaDB's `log_event.h` (codes 160 and up).
public enum BinlogEventType: UInt8, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case unknown = 0
    case startV3 = 1
    case query = 2
    case stop = 3
    case rotate = 4
    case intvar = 5
    case load = 6
    case slave = 7
    case createFile = 8
    case appendBlock = 9
    case execLoad = 10
    case deleteFile = 11
    case newLoad = 12
    case rand = 13
    case userVar = 14
    case formatDescription = 15
    case xid = 16
    case beginLoadQuery = 17
    case executeLoadQuery = 18
    case tableMap = 19
    case preGAWriteRows = 20
    case preGAUpdateRows = 21
    case preGADeleteRows = 22
    case writeRowsV1 = 23
    case updateRowsV1 = 24
    case deleteRowsV1 = 25
    case incident = 26
    case heartbeat = 27
    case ignorable = 28
    case rowsQuery = 29
    case writeRowsV2 = 30
    case updateRowsV2 = 31
    case deleteRowsV2 = 32
    case gtidLog = 33
    case anonymousGTIDLog = 34
    case previousGTIDs = 35
    case transactionContext = 36
    case viewChange = 37
    case xaPrepareLog = 38
    case partialUpdateRows = 39
    case transactionPayload = 40
    case heartbeatV2 = 41
    case gtidTaggedLog = 42
    // MariaDB
    case annotateRows = 160
    case binlogCheckpoint = 161
    case mariaDBGTID = 162
    case mariaDBGTIDList = 163
    case startEncryption = 164
    case queryCompressed = 165
    case writeRowsCompressedV1 = 166
    case updateRowsCompressedV1 = 167
    case deleteRowsCompressedV1 = 168
    case writeRowsCompressed = 169
    case updateRowsCompressed = 170
    case deleteRowsCompressed = 171

    /// The server's own name for the type, as `mysqlbinlog` and the docs spell it.
    public var description: String {
        switch self {
        case .unknown: "UNKNOWN_EVENT"
        case .startV3: "START_EVENT_V3"
        case .query: "QUERY_EVENT"
        case .stop: "STOP_EVENT"
        case .rotate: "ROTATE_EVENT"
        case .intvar: "INTVAR_EVENT"
        case .load: "LOAD_EVENT"
        case .slave: "SLAVE_EVENT"
        case .createFile: "CREATE_FILE_EVENT"
        case .appendBlock: "APPEND_BLOCK_EVENT"
        case .execLoad: "EXEC_LOAD_EVENT"
        case .deleteFile: "DELETE_FILE_EVENT"
        case .newLoad: "NEW_LOAD_EVENT"
        case .rand: "RAND_EVENT"
        case .userVar: "USER_VAR_EVENT"
        case .formatDescription: "FORMAT_DESCRIPTION_EVENT"
        case .xid: "XID_EVENT"
        case .beginLoadQuery: "BEGIN_LOAD_QUERY_EVENT"
        case .executeLoadQuery: "EXECUTE_LOAD_QUERY_EVENT"
        case .tableMap: "TABLE_MAP_EVENT"
        case .preGAWriteRows: "PRE_GA_WRITE_ROWS_EVENT"
        case .preGAUpdateRows: "PRE_GA_UPDATE_ROWS_EVENT"
        case .preGADeleteRows: "PRE_GA_DELETE_ROWS_EVENT"
        case .writeRowsV1: "WRITE_ROWS_EVENT_V1"
        case .updateRowsV1: "UPDATE_ROWS_EVENT_V1"
        case .deleteRowsV1: "DELETE_ROWS_EVENT_V1"
        case .incident: "INCIDENT_EVENT"
        case .heartbeat: "HEARTBEAT_LOG_EVENT"
        case .ignorable: "IGNORABLE_LOG_EVENT"
        case .rowsQuery: "ROWS_QUERY_LOG_EVENT"
        case .writeRowsV2: "WRITE_ROWS_EVENT"
        case .updateRowsV2: "UPDATE_ROWS_EVENT"
        case .deleteRowsV2: "DELETE_ROWS_EVENT"
        case .gtidLog: "GTID_LOG_EVENT"
        case .anonymousGTIDLog: "ANONYMOUS_GTID_LOG_EVENT"
        case .previousGTIDs: "PREVIOUS_GTIDS_LOG_EVENT"
        case .transactionContext: "TRANSACTION_CONTEXT_EVENT"
        case .viewChange: "VIEW_CHANGE_EVENT"
        case .xaPrepareLog: "XA_PREPARE_LOG_EVENT"
        case .partialUpdateRows: "PARTIAL_UPDATE_ROWS_EVENT"
        case .transactionPayload: "TRANSACTION_PAYLOAD_EVENT"
        case .heartbeatV2: "HEARTBEAT_LOG_EVENT_V2"
        case .gtidTaggedLog: "GTID_TAGGED_LOG_EVENT"
        case .annotateRows: "ANNOTATE_ROWS_EVENT"
        case .binlogCheckpoint: "BINLOG_CHECKPOINT_EVENT"
        case .mariaDBGTID: "GTID_EVENT"
        case .mariaDBGTIDList: "GTID_LIST_EVENT"
        case .startEncryption: "START_ENCRYPTION_EVENT"
        case .queryCompressed: "QUERY_COMPRESSED_EVENT"
        case .writeRowsCompressedV1: "WRITE_ROWS_COMPRESSED_EVENT_V1"
        case .updateRowsCompressedV1: "UPDATE_ROWS_COMPRESSED_EVENT_V1"
        case .deleteRowsCompressedV1: "DELETE_ROWS_COMPRESSED_EVENT_V1"
        case .writeRowsCompressed: "WRITE_ROWS_COMPRESSED_EVENT"
        case .updateRowsCompressed: "UPDATE_ROWS_COMPRESSED_EVENT"
        case .deleteRowsCompressed: "DELETE_ROWS_COMPRESSED_EVENT"
        }
    }
}

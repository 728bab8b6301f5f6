/// One decoded binlog event.
public enum BinlogEvent: Sendable, Hashable {
    case formatDescription(FormatDescriptionEvent)
    case rotate(RotateEvent)
    case query(QueryEvent)
    case xid(XIDEvent)
    case tableMap(TableMapEvent)
    case rows(RowsEvent)
    /// MariaDB GTID_EVENT.
    case mariaDBGTID(MariaDBGTIDEvent)
    /// MariaDB GTID_LIST_EVENT.
    case mariaDBGTIDList(MariaDBGTIDListEvent)
    case binlogCheckpoint(BinlogCheckpointEvent)
    case annotateRows(AnnotateRowsEvent)
    /// MySQL GTID_LOG_EVENT and ANONYMOUS_GTID_LOG_EVENT.
    case mysqlGTID(MySQLGTIDEvent)
    case previousGTIDs(PreviousGTIDsEvent)
    case heartbeat(HeartbeatEvent)
    case incident(IncidentEvent)
    /// An event with no bearing on row changes in a ROW binlog (INTVAR, RAND, USER_VAR, STOP,
    /// ROWS_QUERY, IGNORABLE, TRANSACTION_CONTEXT, VIEW_CHANGE, XA_PREPARE, unknown codes
    /// flagged ignorable), or one of an older format (LOAD, pre-GA rows) that a ROW binlog
    /// does not contain.
    case other(BinlogEventHeader)

    /// The common header of the event.
    public var header: BinlogEventHeader {
        switch self {
        case .formatDescription(let event): event.header
        case .rotate(let event): event.header
        case .query(let event): event.header
        case .xid(let event): event.header
        case .tableMap(let event): event.header
        case .rows(let event): event.header
        case .mariaDBGTID(let event): event.header
        case .mariaDBGTIDList(let event): event.header
        case .binlogCheckpoint(let event): event.header
        case .annotateRows(let event): event.header
        case .mysqlGTID(let event): event.header
        case .previousGTIDs(let event): event.header
        case .heartbeat(let event): event.header
        case .incident(let event): event.header
        case .other(let header): header
        }
    }
}

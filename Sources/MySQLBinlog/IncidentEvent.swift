/// INCIDENT_EVENT (type 26): the source lost events (e.g. `LOST_EVENTS` after a failed write);
/// a replica must stop and resynchronise. Post-header: incident number(2); body:
/// message length(1) and message.
public struct IncidentEvent: Sendable, Hashable {
    public var header: BinlogEventHeader
    public var incident: UInt16
    public var message: String

    static func decode(header: BinlogEventHeader, body reader: inout ByteReader) throws -> IncidentEvent {
        let incident = try reader.readUInt16()
        var message = ""
        if !reader.isAtEnd {
            let length = Int(try reader.readUInt8())
            message = try reader.readString(length)
        }
        return IncidentEvent(header: header, incident: incident, message: message)
    }
}

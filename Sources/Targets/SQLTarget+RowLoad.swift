import Connectors
import Directory
import SCIM
import SQLClients

// A first load's creates, read as the source's rows: where the source's map and the target's
// agree, each row goes into the target's bulk path without a SCIM resource made and read back
// in between (``RowTranscoder``).
extension SQLTarget {
    /// A transcoder from rows of `source`'s table into this target's table of the same kind;
    /// nil where this target does not write rows in bulk, or the two maps do not agree closely
    /// enough (``RowTranscoder/init(from:to:columnTypes:)``).
    func transcoder(from source: RowMapper) -> RowTranscoder? {
        guard hasBulkPath, bulkLoadRefusal == nil, !fillsColumnDefaults,
            let table = try? mappedTable(source.kind)
        else { return nil }
        return RowTranscoder(from: source, to: table.mapper, columnTypes: table.rowColumnTypes)
    }

    /// Creates the resources `rows` describe (``RowMapper/creates(_:)`` of the transcoder's
    /// source map) as ``load(_:checkingMemberReferencesLater:)`` does, recording them with
    /// `created` before the batch commits: through the bulk path, the rows transcoded, in one
    /// transaction. A chunk the transcoder refuses, or ids twice in it, and a batch the bulk
    /// path did not write whole, go the general way: each row mapped into its resource (which
    /// throws the map's error for a row it refuses, as the general way always did), then
    /// ``apply(_:)``, which quarantines what the target refuses.
    ///
    /// - Parameter transcoded: `rows` transcoded already (by the load's reading side), or nil
    ///   to transcode them here.
    func load(
        _ rows: [Row], transcoded: RowTranscoder.Rows? = nil, transcoder: RowTranscoder,
        created: ([LedgerEntry]) throws -> Void
    ) throws -> ApplyResult {
        let resourceKind = transcoder.source.kind
        let kind = TargetOperation.create(resourceKind)
        var bulkFailed = false
        if bulkLoadRefusal == nil, let transcoded = transcoded ?? (try? transcoder.transcode(rows)), transcoded.hasDistinctIDs {
            try created(transcoded.ids.map { LedgerEntry(kind: resourceKind, id: $0) })
            let table = try mappedTable(resourceKind, kind)
            let bulk = BulkRows(
                kind: kind, table: table.table.name, columns: table.mapper.rowColumns.map(table.table.column),
                rows: transcoded.values)
            do {
                try writeBulkInTransaction(bulk)
                var result = ApplyResult()
                result.statements = 1
                result.applied[kind] = rows.count
                result.loadedInBulk = true
                return result
            } catch {
                // Rolled back: the upserts find what the bulk path could not write.
                bulkFailed = true
            }
        }
        let (ops, unmapped) = try Self.creates(rows, of: transcoder.source, kind: kind)
        // The same ids as the transcoded rows': recorded once.
        if !bulkFailed { try created(ops.compactMap(\.createdEntry)) }
        // Straight to the upserts: the bulk path would refuse these resources' rows as it
        // refused the transcoded ones (the same conversions, the same ids), or could not have
        // them (a value the target's conversion refuses, an id twice).
        var result = try apply(ResourceOp.ordered(ops))
        result.quarantined += unmapped
        if bulkFailed { result.statements += 1 }
        return result
    }

    /// The creates `rows` map to, and, quarantined, the rows the map cannot convert (a value
    /// that is not UTF-8 text, say), as the stream quarantines them: one row must not stop a
    /// load. A row whose id cannot be read throws the map's error, as before: without an id
    /// there is nothing to quarantine it as.
    static func creates(
        _ rows: [Row], of mapper: RowMapper, kind: TargetOperation
    ) throws(TargetError) -> (ops: [ResourceOp], unmapped: [QuarantinedOp]) {
        do {
            let chunk = try mapper.createsSettingAsideUnmappable(rows)
            return (chunk.ops, chunk.unmapped.map(QuarantinedOp.init))
        } catch {
            throw TargetError(.mapping(kind, table: mapper.table, error))
        }
    }
}

/// A chunk of rows made ready for PostgreSQL's COPY on the load's reading thread, while the
/// previous chunk is sent (``SQLTarget/loadSettingKeysAside(prepared:kind:created:)``).
enum PreparedRows: Sendable {
    /// The resources' ids, and their rows in COPY's text format.
    case copy(ids: [String], text: [UInt8])
    /// The transcoder refused a row, two rows have one id, or a value has no text form: the
    /// general way must load the phase.
    case refused
}

extension RowTranscoder {
    /// `rows` transcoded and written in COPY's text format; uses no connection, so it can run
    /// on the thread that reads the rows.
    func prepareCopy(_ rows: [Row]) -> PreparedRows {
        guard let transcoded = try? transcode(rows), transcoded.hasDistinctIDs else { return .refused }
        var text: [UInt8] = []
        guard BulkRowText.append(transcoded.values, format: .copy, to: &text) else { return .refused }
        return .copy(ids: transcoded.ids, text: text)
    }
}

/// A chunk of source rows and, when the transcoder took them, their transcoding: made on the
/// load's reading side, so that the connection's thread only writes.
struct TranscodedChunk: Sendable {
    var rows: [Row]
    var transcoded: RowTranscoder.Rows?

    /// Transcodes `rows`; a refusal leaves `transcoded` nil, for the general way to report.
    init(_ rows: [Row], transcoder: RowTranscoder) {
        self.rows = rows
        transcoded = try? transcoder.transcode(rows)
    }
}

extension QuarantinedOp {
    /// A source row the load set aside, quarantined as the create it could not make.
    init(_ row: UnmappableRow) {
        self.init(
            operation: .create(row.kind), subject: QuarantineSubject(row.kind, row.id), table: row.table, column: nil,
            reason: .mapping(row.reason), op: .create(row.kind, SCIMResource(["id": .string(row.id)])))
    }
}

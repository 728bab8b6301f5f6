import MySQLBinlog

/// What one run counted.
struct Figures {
    var bytes = 0
    var events = 0
    var rows = 0
    var transactions = 0
    /// Bytes of JSON lines written (`--lines`).
    var lineBytes = 0
}

/// Bytes of lines gathered before they are handed on (and here dropped), as `scimsync tail`
/// hands them to `write(2)`.
let lineChunkSize = 128 * 1024

/// Bytes read from the file at a time.
let chunkSize = 1 << 20

/// Decodes the files one after the other (one decoder throughout, as a replica reading across
/// ROTATEs), touching every value of every row image.
func run(_ options: Options) throws -> (Figures, ValueDigest) {
    var figures = Figures()
    var digest = ValueDigest(depth: options.depth)
    var decoder = BinlogEventDecoder()
    var tables: [UInt64: TableMapEvent] = [:]
    var assembler: TransactionAssembler?
    var writer = RowChangeJSONWriter()
    var out = ByteOutput(capacity: lineChunkSize + 64 * 1024)
    // Lines written up to their part's end, until the part ends (as BinlogTail holds them).
    var held = HeldLines()

    // Read in chunks, decode event by event: memory stays flat whatever the file's size.
    var chunk = [UInt8](repeating: 0, count: chunkSize)
    for path in options.files {
        let name = String(path.split(separator: "/").last ?? Substring(path))
        let file = try InputFile(path: path)
        var reader = BinlogChunkReader(file: name, decoder: decoder)
        if options.assemble, assembler == nil {
            assembler = TransactionAssembler(
                file: name, handsOnRowsAsRead: options.lines, keepsRowsUndecoded: options.lines)
        }
        while true {
            let count = try chunk.withUnsafeMutableBytes { buffer in try file.read(into: buffer) }
            if count == 0 { break }
            figures.bytes += count
            chunk.withUnsafeBytes { reader.append(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
            while let (event, _) = try reader.next() {
                figures.events += 1
                if let action = try assembler?.eventReceived(event) {
                    switch action {
                    case .emit(let transaction):
                        // Transactions and parts of them; not rows handed on ahead of a part's end.
                        if transaction.endsPart { figures.transactions += 1 }
                        if options.lines {
                            // What `scimsync tail` does with rows as they are read (BinlogTail).
                            for rows in transaction.undecoded {
                                figures.rows += rows.count
                                try held.hold(rows, writer: &writer)
                            }
                            if transaction.isDropped { held.removeAll() }
                            guard transaction.endsPart, !held.isEmpty else { continue }
                            writer.transactionStarted(
                                position: transaction.position, gtid: transaction.gtid,
                                commitTimestamp: transaction.commitTimestamp)
                            try held.print(ending: writer, to: &out, chunkSize: lineChunkSize) { lines in
                                figures.lineBytes += lines.count
                                digest.add(lineBytes: lines)
                            }
                            continue
                        }
                        for change in transaction.changes {
                            figures.rows += 1
                            if let before = change.before { digest.add(before) }
                            if let after = change.after { digest.add(after) }
                        }
                    case .none, .emitSchemaChange, .dropped:
                        break
                    }
                    continue
                }
                switch event {
                case .tableMap(let map):
                    tables[map.tableID] = map
                case .rows(let rows):
                    guard let map = tables[rows.tableID] else {
                        throw BenchError("\(name): rows event for table id \(rows.tableID) without a TABLE_MAP")
                    }
                    for image in try rows.rows(using: map) {
                        figures.rows += 1
                        if let before = image.before { digest.add(before) }
                        if let after = image.after { digest.add(after) }
                    }
                case .xid:
                    figures.transactions += 1
                case .formatDescription, .rotate, .query, .mariaDBGTID, .mariaDBGTIDList, .binlogCheckpoint,
                    .annotateRows, .mysqlGTID, .previousGTIDs, .heartbeat, .incident, .other:
                    break
                }
            }
        }
        try reader.finish()
        decoder = reader.decoder
    }
    figures.lineBytes += out.count
    out.withBytes { digest.add(lineBytes: $0) }
    return (figures, digest)
}

import MySQLBinlog

/// What one run counted.
struct Figures {
    var bytes = 0
    var events = 0
    var rows = 0
    var transactions = 0
}

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

    // Read in chunks, decode event by event: memory stays flat whatever the file's size.
    var chunk = [UInt8](repeating: 0, count: chunkSize)
    for path in options.files {
        let name = String(path.split(separator: "/").last ?? Substring(path))
        let file = try InputFile(path: path)
        var reader = BinlogChunkReader(file: name, decoder: decoder)
        if options.assemble, assembler == nil {
            assembler = TransactionAssembler(file: name)
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
                        figures.transactions += 1
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
    return (figures, digest)
}

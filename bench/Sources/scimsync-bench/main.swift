import MySQLBinlog

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// scimsync-bench: decodes binlog files completely and prints one JSON line of figures.
///
///     scimsync-bench [--assemble] [--digest] FILE...
///
/// Every event is decoded, and every row image of every rows event is decoded into values and
/// each value touched (``ValueDigest``), so that nothing is skipped lazily. `--assemble` also
/// runs the events through ``TransactionAssembler`` (what the replicator does: rows grouped into
/// committed transactions); `--digest` hashes every byte of every text value too.
struct Options {
    var files: [String] = []
    var assemble = false
    var depth = ValueDigest.Depth.light

    init(arguments: [String]) throws(BenchError) {
        for argument in arguments {
            switch argument {
            case "--assemble": assemble = true
            case "--digest": depth = .full
            case "-h", "--help":
                throw BenchError("usage: scimsync-bench [--assemble] [--digest] FILE...")
            default:
                guard !argument.hasPrefix("-") else { throw BenchError("unknown option \(argument)") }
                files.append(argument)
            }
        }
        guard !files.isEmpty else { throw BenchError("usage: scimsync-bench [--assemble] [--digest] FILE...") }
    }
}

struct Figures {
    var bytes = 0
    var events = 0
    var rows = 0
    var transactions = 0
}

/// Bytes read from the file at a time.
let chunkSize = 1 << 20

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
                if assembler != nil {
                    switch try assembler!.eventReceived(event) {
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
                default:
                    break
                }
            }
        }
        try reader.finish()
        decoder = reader.decoder
    }
    return (figures, digest)
}

do {
    let options = try Options(arguments: Array(CommandLine.arguments.dropFirst()))
    let start = SystemClock.now()
    let cpuStart = SystemClock.cpuSeconds()
    let (figures, digest) = try run(options)
    let seconds = SystemClock.now() - start
    let cpuSeconds = SystemClock.cpuSeconds() - cpuStart
    let rowsPerSecond = seconds > 0 ? Double(figures.rows) / seconds : 0
    print(
        "{\"tool\":\"scimsync-bench\",\"mode\":\"\(options.assemble ? "assemble" : "decode")\","
            + "\"files\":\(options.files.count),\"bytes\":\(figures.bytes),\"events\":\(figures.events),"
            + "\"rows\":\(figures.rows),\"transactions\":\(figures.transactions),"
            + "\"seconds\":\(rounded(seconds)),\"cpu_seconds\":\(rounded(cpuSeconds)),"
            + "\"rows_per_second\":\(Int(rowsPerSecond)),\"peak_rss_kib\":\(SystemClock.peakRSSKiB()),"
            + "\"digest\":\"\(String(digest.value, radix: 16))\"}"
    )
} catch {
    var message = "scimsync-bench: \(error)\n"
    message.withUTF8 { text in _ = write(2, text.baseAddress, text.count) }
    exit(1)
}

func rounded(_ seconds: Double) -> String {
    let millis = Int((seconds * 1000).rounded())
    let fraction = millis % 1000
    return "\(millis / 1000)." + String(repeating: "0", count: 3 - String(fraction).count) + String(fraction)
}

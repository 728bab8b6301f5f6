import MySQLBinlog

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// scimsync-bench: decodes binlog files completely and prints one JSON line of figures.
//
//     scimsync-bench [--assemble] [--lines] [--digest] FILE...
//
// Every event is decoded, and every row image of every rows event is decoded into values and
// each value touched (``ValueDigest``), so that nothing is skipped lazily. `--assemble` also
// runs the events through ``TransactionAssembler`` (what the replicator does: rows grouped into
// committed transactions); `--lines` also writes each row change's `scimsync tail` JSON line
// into a reused buffer, as `scimsync tail` does, handed on (here dropped) 128 KiB at a time;
// `--digest` hashes every byte of every text value (and of every line) too.
do {
    let options = try Options(arguments: Array(CommandLine.arguments.dropFirst()))
    let start = SystemClock.now()
    let cpuStart = SystemClock.cpuSeconds()
    let (figures, digest) = try run(options)
    let seconds = SystemClock.now() - start
    let cpuSeconds = SystemClock.cpuSeconds() - cpuStart
    let rowsPerSecond = seconds > 0 ? Double(figures.rows) / seconds : 0
    print(
        "{\"tool\":\"scimsync-bench\",\"mode\":\"\(options.lines ? "lines" : options.assemble ? "assemble" : "decode")\","
            + "\"files\":\(options.files.count),\"bytes\":\(figures.bytes),\"events\":\(figures.events),"
            + "\"rows\":\(figures.rows),\"transactions\":\(figures.transactions),\"line_bytes\":\(figures.lineBytes),"
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

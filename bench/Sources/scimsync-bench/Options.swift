/// The command line: `scimsync-bench [--assemble] [--lines] [--digest] FILE...`.
struct Options {
    var files: [String] = []
    var assemble = false
    /// Also write every row change's `scimsync tail` JSON line (implies `assemble`).
    var lines = false
    var depth = ValueDigest.Depth.light

    init(arguments: [String]) throws(BenchError) {
        for argument in arguments {
            switch argument {
            case "--assemble": assemble = true
            case "--lines":
                assemble = true
                lines = true
            case "--digest": depth = .full
            case "-h", "--help":
                throw BenchError("usage: scimsync-bench [--assemble] [--lines] [--digest] FILE...")
            default:
                guard !argument.hasPrefix("-") else { throw BenchError("unknown option \(argument)") }
                files.append(argument)
            }
        }
        guard !files.isEmpty else { throw BenchError("usage: scimsync-bench [--assemble] [--lines] [--digest] FILE...") }
    }
}

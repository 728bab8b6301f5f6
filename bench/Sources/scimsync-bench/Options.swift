/// The command line: `scimsync-bench [--assemble] [--digest] FILE...`.
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

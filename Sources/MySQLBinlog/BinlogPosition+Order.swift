extension BinlogPosition: Comparable {
    /// Binlog order: by file sequence number (`mysql-bin.000010` after `mysql-bin.000009`,
    /// whatever the width of the number), then by offset. Files of different base names
    /// compare by name, which only happens if the server's log_bin basename changed.
    public static func < (lhs: BinlogPosition, rhs: BinlogPosition) -> Bool {
        if lhs.file != rhs.file {
            let (lhsBase, lhsNumber) = split(lhs.file)
            let (rhsBase, rhsNumber) = split(rhs.file)
            if lhsBase == rhsBase, let lhsNumber, let rhsNumber, lhsNumber != rhsNumber { return lhsNumber < rhsNumber }
            return lhs.file < rhs.file
        }
        return lhs.offset < rhs.offset
    }

    private static func split(_ file: String) -> (base: Substring, number: UInt64?) {
        guard let dot = file.lastIndex(of: ".") else { return (file[...], nil) }
        return (file[..<dot], UInt64(file[file.index(after: dot)...]))
    }
}

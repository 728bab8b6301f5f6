/// A source of items in id order, a chunk at a time (keyset pagination underneath), so a
/// merge-join holds at most a chunk per side whatever the table's size.
public protocol OrderedChunks {
    associatedtype Element
    /// The next chunk, or nil after the last one.
    mutating func next() throws -> [Element]?
}

/// Chunks served from an array (tests, small inputs).
public struct ArrayChunks<Element>: OrderedChunks {
    private var remaining: ArraySlice<Element>
    private let size: Int

    public init(_ elements: [Element], chunkSize: Int = 1000) {
        remaining = elements[...]
        size = max(chunkSize, 1)
    }

    public mutating func next() throws -> [Element]? {
        guard !remaining.isEmpty else { return nil }
        let chunk = remaining.prefix(size)
        remaining = remaining.dropFirst(size)
        return Array(chunk)
    }
}

/// Why a merge-join stopped.
public enum MergeJoinError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A side returned a key not after the one before it: its SQL order is not the order
    /// the join assumes (a case-insensitive collation on a text id, for instance). Nothing
    /// decided from such a join could be trusted, so the pass stops.
    case outOfOrder(side: String, previous: String, next: String)

    public var description: String {
        switch self {
        case .outOfOrder(let side, let previous, let next):
            "the \(side) returned id \"\(next)\" after \"\(previous)\": its ids are not in "
                + "the order reconciliation reads them in (integers numerically, text by bytes); "
                + "give a text id column a binary collation (MariaDB utf8mb4_bin, PostgreSQL COLLATE \"C\", "
                + "SQL Server Latin1_General_100_BIN2)"
        }
    }
}

/// One step of a merge-join: an id on the source only, the target only, or both.
public enum MergeStep<S, T> {
    case source(S)
    case target(T)
    case both(S, T)
}

/// Merges two id-ordered chunk streams, calling `visit` once per distinct key in order.
/// Each side is checked to be strictly increasing; a side that is not stops the join with
/// ``MergeJoinError/outOfOrder(side:previous:next:)``.
public struct MergeJoin<Source: OrderedChunks, Target: OrderedChunks, Key> {
    private var source: Cursor<Source, Key>
    private var target: Cursor<Target, Key>
    private let compare: (Key, Key) -> Int

    public init(
        source: Source, sourceName: String, sourceKey: @escaping (Source.Element) -> Key,
        target: Target, targetName: String, targetKey: @escaping (Target.Element) -> Key,
        compare: @escaping (Key, Key) -> Int
    ) {
        self.source = Cursor(chunks: source, name: sourceName, key: sourceKey, compare: compare)
        self.target = Cursor(chunks: target, name: targetName, key: targetKey, compare: compare)
        self.compare = compare
    }

    /// The next step, or nil when both sides are exhausted.
    public mutating func next() throws -> MergeStep<Source.Element, Target.Element>? {
        let s = try source.peek()
        let t = try target.peek()
        switch (s, t) {
        case (nil, nil):
            return nil
        case (let s?, nil):
            source.advance()
            return .source(s.element)
        case (nil, let t?):
            target.advance()
            return .target(t.element)
        case (let s?, let t?):
            let order = compare(s.key, t.key)
            if order < 0 {
                source.advance()
                return .source(s.element)
            } else if order > 0 {
                target.advance()
                return .target(t.element)
            }
            source.advance()
            target.advance()
            return .both(s.element, t.element)
        }
    }
}

/// One side of a merge-join: its current chunk and position, and the last key handed out.
private struct Cursor<Chunks: OrderedChunks, Key> {
    var chunks: Chunks
    let name: String
    let key: (Chunks.Element) -> Key
    let compare: (Key, Key) -> Int
    var buffer: [Chunks.Element] = []
    var index = 0
    var exhausted = false
    var lastKey: Key?

    init(chunks: Chunks, name: String, key: @escaping (Chunks.Element) -> Key, compare: @escaping (Key, Key) -> Int) {
        self.chunks = chunks
        self.name = name
        self.key = key
        self.compare = compare
    }

    mutating func peek() throws -> (element: Chunks.Element, key: Key)? {
        while index >= buffer.count {
            guard !exhausted, let chunk = try chunks.next() else {
                exhausted = true
                return nil
            }
            buffer = chunk
            index = 0
        }
        let element = buffer[index]
        let elementKey = key(element)
        if let lastKey, compare(lastKey, elementKey) >= 0 {
            throw MergeJoinError.outOfOrder(
                side: name, previous: String(describing: lastKey), next: String(describing: elementKey))
        }
        return (element, elementKey)
    }

    mutating func advance() {
        lastKey = key(buffer[index])
        index += 1
    }
}

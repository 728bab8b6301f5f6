import Testing

@testable import MySQLBinlog

/// The line buffer of `scimsync tail` against an array doing the same appends: single bytes,
/// runs of every length across its growth, literals and text, removals and reuse.
@Suite struct ByteOutputTests {
    @Test func appendsAsAnArrayDoes() {
        var generator = SystemRandomNumberGenerator()
        var out = ByteOutput(capacity: 1)
        var model: [UInt8] = []
        #expect(out.isEmpty && out.last == nil)
        for round in 0..<2_000 {
            switch round % 5 {
            case 0:
                let byte = UInt8.random(in: 0...255, using: &generator)
                out.append(byte)
                model.append(byte)
            case 1:
                let run = (0..<Int.random(in: 0...300, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
                run.withUnsafeBufferPointer { out.append($0) }
                model += run
            case 2:
                out.append("{\"key\":")
                model += Array("{\"key\":".utf8)
            case 3:
                let text = round % 2 == 0 ? "ünïcødé 🎉" : String(repeating: "x", count: round % 40)
                out.append(utf8: text)
                model += Array(text.utf8)
            default:
                let length = min(model.count, Int.random(in: 0...3, using: &generator))
                out.removeLast(length)
                model.removeLast(length)
            }
            #expect(out.count == model.count)
        }
        #expect(out.bytes == model)
        #expect(out.last == model.last)
        #expect(out.withBytes { Array($0) } == model)

        // Emptied, it is written again from the start.
        out.removeAll()
        #expect(out.isEmpty && out.bytes.isEmpty)
        out.append([1, 2, 3])
        out.reserve(10_000)
        out.append(4)
        #expect(out.bytes == [1, 2, 3, 4])
    }
}

extension ByteOutputTests {
    /// Appends of every short length (copied as words, not by memmove) land exactly, next to
    /// each other, with nothing written past them.
    @Test func shortAppendsOfEveryLengthLandExactly() {
        var out = ByteOutput(capacity: 1)
        var expected: [UInt8] = []
        for length in 0...40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: length &* 31 &+ $0) }
            bytes.withUnsafeBufferPointer { out.append($0) }
            expected += bytes
            #expect(out.bytes == expected, "after \(length) bytes")
        }
    }
}

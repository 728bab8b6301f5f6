import Directory
import Reconcile
import Testing

@Suite struct MergeJoinTests {
    func steps(_ source: [String], _ target: [String], order: IDOrder = .numeric, chunk: Int = 2) throws -> [String] {
        var join = MergeJoin(
            source: ArrayChunks(source, chunkSize: chunk), sourceName: "source", sourceKey: { $0 },
            target: ArrayChunks(target, chunkSize: chunk + 1), targetName: "target", targetKey: { $0 },
            compare: order.compare)
        var result: [String] = []
        while let step = try join.next() {
            switch step {
            case .source(let id): result.append("+\(id)")
            case .target(let id): result.append("-\(id)")
            case .both(let id, _): result.append("=\(id)")
            }
        }
        return result
    }

    @Test func everyKeyOnceInOrderAcrossChunks() throws {
        #expect(try steps(["1", "2", "9", "10", "11"], ["2", "3", "10", "12"]) == ["+1", "=2", "-3", "+9", "=10", "+11", "-12"])
        #expect(try steps([], ["5"]) == ["-5"])
        #expect(try steps(["5"], []) == ["+5"])
        #expect(try steps([], []) == [])
    }

    @Test func numericOrderIsNotTextOrder() throws {
        #expect(IDOrder.numeric.precedes("9", "10"))
        #expect(IDOrder.binary.precedes("10", "9"))
        #expect(IDOrder.numeric.precedes("-3", "2"))
        #expect(IDOrder.numeric.precedes("9223372036854775807", "18446744073709551615"))
        #expect(IDOrder.binary.precedes("Zed", "abc"), "bytes, not a case-insensitive collation")
        #expect(IDOrder.binary.precedes("abc", "abcé"))
        #expect(IDOrder.numeric.compare("7", "7") == 0)
        #expect(IDOrder.numeric.compare("007", "7") != 0, "different ids, whatever their number")
    }

    @Test func aSideOutOfOrderStopsTheJoin() throws {
        // A case-insensitive collation puts "a_b" before "aB"; in bytes "aB" comes first.
        #expect(throws: MergeJoinError.self) { try steps(["a_b", "aB"], ["aB"], order: .binary) }
        let error = try #require(throws: MergeJoinError.self) { try steps(["1"], ["3", "2"]) }
        #expect(error.description.contains("target"))
        #expect(throws: MergeJoinError.self, "a repeated key is out of order too") { try steps(["1", "1"], []) }
    }
}

import NIOCore
import Testing

@testable import FeedAdmin

/// The streaming multipart reader on its own, fed whole or a byte at a time: the files come
/// out the same whatever the chunks, and bad bodies are refused with their reason.
@Suite struct MultipartReceiverTests {
    /// Collects each file's bytes in memory.
    final class MemorySink: ReceivedFileSink {
        var bytes: [UInt8] = []
        var finished = false
        func append(_ buffer: ByteBuffer) throws { bytes += buffer.readableBytesView }
        func finish() throws { finished = true }
    }

    /// Chunks of `bytes`, `size` bytes each.
    struct Chunks: AsyncSequence {
        typealias Element = ByteBuffer
        let bytes: [UInt8]
        let size: Int

        struct AsyncIterator: AsyncIteratorProtocol {
            var rest: ArraySlice<UInt8>
            let size: Int
            mutating func next() async throws -> ByteBuffer? {
                guard !rest.isEmpty else { return nil }
                let chunk = rest.prefix(size)
                rest = rest.dropFirst(size)
                return ByteBuffer(bytes: chunk)
            }
        }

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(rest: bytes[...], size: size) }
    }

    func receive(_ body: String, chunk: Int, fields: Set<String> = []) async throws -> (
        MultipartFileReceiver.Received, [String: MemorySink]
    ) {
        var sinks: [String: MemorySink] = [:]
        let receiver = MultipartFileReceiver(boundary: "XyZ", maxBytes: 1 << 20, fields: fields)
        let received = try await receiver.receive(Chunks(bytes: Array(body.utf8), size: chunk)) { name in
            let sink = MemorySink()
            sinks[name] = sink
            return sink
        }
        return (received, sinks)
    }

    // Content that begins like a boundary, CRLFs, a lone CR and dashes inside files (a client
    // picks a boundary that its content never holds whole, RFC 2046 §5.1.1).
    static let first = "login\tfirst\r\nalice\tAlice\r\n--Xy\r\n-XyZ\r-"
    static let second = "<people>\n  <person login=\"bob\"/>\n</people>\r\n\r\n"
    static let body =
        "preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"users.tsv\"\r\n"
        + "Content-Type: text/plain\r\n\r\n\(first)\r\n--XyZ\r\n"
        + "content-disposition: form-data; name=\"file\"; filename=\"C:\\\\exports\\\\staff.xml\"\r\n\r\n\(second)\r\n"
        + "--XyZ\r\nContent-Disposition: form-data; name=\"by\"\r\n\r\nnightly\r\n--XyZ--\r\nepilogue"

    @Test(arguments: [1, 2, 3, 7, 64, 100_000])
    func filesComeOutWholeWhateverTheChunks(chunk: Int) async throws {
        let (received, sinks) = try await receive(Self.body, chunk: chunk, fields: ["by"])
        #expect(received.files.map(\.name) == ["users.tsv", "staff.xml"])
        #expect(received.files.map(\.size) == [Int64(Self.first.utf8.count), Int64(Self.second.utf8.count)])
        #expect(sinks["users.tsv"]?.bytes == Array(Self.first.utf8))
        #expect(sinks["staff.xml"]?.bytes == Array(Self.second.utf8))
        #expect(sinks.values.allSatisfy { $0.finished })
        #expect(received.fields == ["by": "nightly"])
    }

    @Test func refusals() async throws {
        func message(_ body: String, fields: Set<String> = []) async -> String {
            do {
                _ = try await receive(body, chunk: 5, fields: fields)
                return ""
            } catch {
                return "\(error)"
            }
        }
        let part = "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"users.tsv\"\r\n\r\n"
        #expect(await message(part + "abc").contains("ended inside a part"))
        #expect(await message(part + "abc\r\n--XyZ").contains("ended inside a part"))
        #expect(await message("no parts here").contains("no multipart/form-data part"))
        #expect(await message("--XyZ\r\nBad Header: x\r\n\r\nabc\r\n--XyZ--").contains("not valid multipart/form-data"))
        #expect(await message(part + "a\r\n" + part + "b\r\n--XyZ--").contains("comes twice"))
        let traversal = part.replacingOccurrences(of: "users.tsv", with: "..")
        #expect(await message(traversal + "a\r\n--XyZ--").contains("not a plain file name"))
        #expect(await message("--XyZ\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--XyZ--").contains("\"x\" is no file"))
        #expect(await message("--XyZ\r\nContent-Disposition: form-data; name=\"by\"\r\n\r\n1\r\n--XyZ--", fields: ["by"]).contains("holds no file"))
        // Names a listing or a log would show as something else, or too long to store.
        for name in [String(repeating: "n", count: 201), "a\u{1B}[31m.tsv", "evil\u{202E}vst.exe", "tab\tname.tsv"] {
            let named = part.replacingOccurrences(of: "users.tsv", with: name)
            #expect(await message(named + "a\r\n--XyZ--").contains("not a plain file name"), "\(name.debugDescription)")
        }
        let longest = part.replacingOccurrences(of: "users.tsv", with: String(repeating: "n", count: 200))
        #expect(await message(longest + "a\r\n--XyZ--") == "")
    }

    /// A part's headers that never end are refused once they pass 1 MiB, instead of being
    /// held whole by the parser.
    @Test func endlessPartHeadersAreRefused() async throws {
        let receiver = MultipartFileReceiver(boundary: "XyZ", maxBytes: 16 << 20)
        let body =
            "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.tsv\"\r\nX-Long: "
            + String(repeating: "a", count: 2 << 20)
        do {
            _ = try await receiver.receive(Chunks(bytes: Array(body.utf8), size: 65_536)) { _ in MemorySink() }
            Issue.record("endless headers were taken")
        } catch {
            #expect("\(error)".contains("longer than 1024 KiB"), "\(error)")
        }
    }

    @Test func contentTypes() throws {
        #expect(try MultipartFileReceiver.boundary(contentType: "multipart/form-data; boundary=abc") == "abc")
        #expect(try MultipartFileReceiver.boundary(contentType: "Multipart/Form-Data; charset=utf-8; boundary=\"a b;c\"") == "a b;c")
        #expect(throws: FeedRequestError.self) { try MultipartFileReceiver.boundary(contentType: "application/json") }
        #expect(throws: FeedRequestError.self) { try MultipartFileReceiver.boundary(contentType: "multipart/form-data") }
        let long = String(repeating: "b", count: 71)
        #expect(throws: FeedRequestError(.badRequest, "the multipart/form-data boundary is 71 characters long; RFC 2046 allows 1 to 70")) {
            try MultipartFileReceiver.boundary(contentType: "multipart/form-data; boundary=\(long)")
        }
        #expect(try MultipartFileReceiver.boundary(contentType: "multipart/form-data; boundary=\(long.dropLast())") == String(long.dropLast()))
        #expect(HeaderParameters("form-data; name=\"f\"; filename*=UTF-8''na%C3%AFve.tsv; filename=\"x.tsv\"").fileName == "naïve.tsv")
    }
}

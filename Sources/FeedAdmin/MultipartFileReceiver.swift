import FeedSource
import Foundation
import MultipartKit
import NIOCore
import SCIM

/// Where a received file's bytes go, as they arrive.
protocol ReceivedFileSink: AnyObject {
    func append(_ buffer: ByteBuffer) throws
    /// The file is complete.
    func finish() throws
}

/// A file received from a request: its name and size.
public struct ReceivedFile: Sendable, Hashable {
    /// The name the client gave it (a plain file name, no directories).
    public var name: String
    public var size: Int64
}

/// Streams a `multipart/form-data` body (RFC 7578) into files, one per part with a file name,
/// so that an upload of a 150 MB export never sits whole in memory: each chunk the server
/// reads is parsed and written before the next is read. Where a file goes is the caller's
/// (`open`), called when a file part's headers are complete.
///
/// What it refuses, with a message for the client: a body larger than `maxBytes` (413), more
/// than `maxFiles` files, a part without a file name other than the fields in
/// `fields`, a name that is not a plain file name or that comes twice, a body that is not
/// multipart or ends inside a part (400).
struct MultipartFileReceiver {
    /// From the request's `Content-Type`.
    var boundary: String
    var maxBytes: Int
    var maxFiles: Int = 1000
    /// Form fields accepted beside the files (their values, at most 1 KiB each, are returned).
    var fields: Set<String> = []
    /// The most bytes of one part's headers; a read of the body may carry the next part's
    /// headers too, so this bounds memory rather than the headers' exact size.
    static let maximumHeaderBytes = 1 << 20

    /// What a body held.
    struct Received {
        var files: [ReceivedFile] = []
        var fields: [String: String] = [:]
    }

    /// The boundary of a `multipart/form-data` content type.
    /// - Throws: ``FeedRequestError`` (415 for another type, 400 without a boundary).
    static func boundary(contentType: String?) throws(FeedRequestError) -> String {
        let header = HeaderParameters(contentType ?? "")
        guard header.value == "multipart/form-data" else {
            throw FeedRequestError(
                .unsupportedMediaType,
                "send the files as multipart/form-data (curl -F file=@users.tsv), not \(contentType ?? "a body without Content-Type")"
            )
        }
        // RFC 2046 §5.1.1: 1 to 70 characters.
        guard let boundary = header.parameters["boundary"], !boundary.isEmpty else {
            throw FeedRequestError(
                .badRequest, "the multipart/form-data Content-Type has no boundary parameter (1 to 70 characters)")
        }
        guard boundary.utf8.count <= 70 else {
            throw FeedRequestError(
                .badRequest,
                "the multipart/form-data boundary is \(boundary.utf8.count) characters long; RFC 2046 allows 1 to 70")
        }
        return boundary
    }

    /// Reads `body` to its end.
    /// - Parameter open: where the file of a name goes; what it throws ends the upload.
    /// - Throws: ``FeedRequestError``, or what `open` or a sink threw.
    func receive<Body: AsyncSequence>(_ body: Body, open: @escaping (String) throws -> any ReceivedFileSink) async throws
        -> Received where Body.Element == ByteBuffer
    {
        let sink = PartSink(receiver: self, open: open)
        let parser = MultipartParser(boundary: boundary)
        parser.onHeader = { name, value in sink.header(name: name, value: value) }
        parser.onBody = { buffer in sink.body(buffer) }
        parser.onPartComplete = { sink.complete() }
        var total = 0
        // Bytes given to the parser since a part's body last began: its headers (and any text
        // before the first boundary). The parser holds a header line whole until it ends, so
        // without a bound one endless header line would fill memory.
        var headerBytes = 0
        for try await buffer in body {
            total += buffer.readableBytes
            guard total <= maxBytes else {
                throw FeedRequestError(
                    .contentTooLarge, "the upload is larger than http.maxUploadSize (\(maxBytes) bytes); raise it or send fewer files per request")
            }
            do {
                try parser.execute(buffer)
            } catch {
                throw FeedRequestError(
                    .badRequest,
                    "the body is not valid multipart/form-data: a part's headers or the line after a boundary is malformed")
            }
            if let problem = sink.problem { throw problem }
            if sink.readingHeaders {
                headerBytes += buffer.readableBytes
                if headerBytes > Self.maximumHeaderBytes {
                    throw FeedRequestError(
                        .badRequest,
                        "a part's headers (or the text before the first boundary) are longer than \(Self.maximumHeaderBytes / 1024) KiB")
                }
            } else {
                headerBytes = 0
            }
        }
        if sink.inPart {
            throw FeedRequestError(
                .badRequest,
                "the multipart/form-data body ended inside a part: the closing boundary --\(boundary)-- never came (was the upload cut off?)"
            )
        }
        if !sink.sawPart {
            throw FeedRequestError(
                .badRequest, "the body holds no multipart/form-data part: no line --\(boundary) was found")
        }
        if sink.received.files.isEmpty {
            throw FeedRequestError(
                .badRequest, "the form holds no file: send each file as a part with a file name (curl -F file=@users.tsv)")
        }
        return sink.received
    }
}

/// The state of one body's parse: the part being read and the files so far. The parser's
/// callbacks cannot throw, so a problem is kept here and thrown after the chunk.
private final class PartSink {
    let receiver: MultipartFileReceiver
    let open: (String) throws -> any ReceivedFileSink
    var received = MultipartFileReceiver.Received()
    var problem: (any Error)?
    /// Whether a part has begun (a header or body byte after a boundary) and not ended.
    var inPart = false
    /// Whether the parser is before a part's body: in its headers, or before the first part.
    var readingHeaders = true
    var sawPart = false
    private var headers: [(String, String)] = []
    private var decided = false
    private var file: (any ReceivedFileSink)?
    private var fieldName: String?
    private var fieldValue: [UInt8] = []
    private var currentName = ""
    private var currentSize: Int64 = 0

    init(receiver: MultipartFileReceiver, open: @escaping (String) throws -> any ReceivedFileSink) {
        self.receiver = receiver
        self.open = open
    }

    func header(name: String, value: String) {
        inPart = true
        sawPart = true
        headers.append((name.lowercased(), value))
    }

    func body(_ buffer: ByteBuffer) {
        readingHeaders = false
        inPart = true
        sawPart = true
        guard problem == nil else { return }
        if !decided { decide() }
        guard problem == nil else { return }
        if let file {
            do {
                try file.append(buffer)
                currentSize += Int64(buffer.readableBytes)
            } catch {
                problem = error
            }
        } else if fieldName != nil {
            fieldValue += buffer.readableBytesView
            if fieldValue.count > 1024 {
                problem = FeedRequestError(.badRequest, "the form field \(fieldName ?? "") is longer than 1 KiB")
            }
        }
    }

    func complete() {
        // The parser reports the end of the part before the closing boundary's "--" too; a
        // body that ends right after a boundary has no part open.
        guard inPart else { return }
        if problem == nil, !decided { decide() }
        guard problem == nil else { return }
        if let fieldName {
            received.fields[fieldName] = String(decoding: fieldValue, as: UTF8.self)
        } else if let file {
            do {
                try file.finish()
                received.files.append(ReceivedFile(name: currentName, size: currentSize))
            } catch {
                problem = error
            }
        }
        file = nil
        headers = []
        decided = false
        fieldName = nil
        fieldValue = []
        currentSize = 0
        inPart = false
        readingHeaders = true
    }

    /// What the part is, from its headers: a file (opened for writing) or an accepted field.
    private func decide() {
        decided = true
        guard let disposition = headers.first(where: { $0.0 == "content-disposition" })?.1 else {
            problem = FeedRequestError(.badRequest, "a part of the form has no Content-Disposition header")
            return
        }
        let parameters = HeaderParameters(disposition)
        guard parameters.value == "form-data" else {
            problem = FeedRequestError(
                .badRequest, "a part's Content-Disposition is \(parameters.value), not form-data")
            return
        }
        guard let name = parameters.fileName else {
            let field = parameters.parameters["name"] ?? ""
            if receiver.fields.contains(field) {
                fieldName = field
                return
            }
            let allowed = receiver.fields.sorted().joined(separator: ", ")
            problem = FeedRequestError(
                .badRequest,
                "the form field \"\(field)\" is no file (it has no filename); send files with curl -F file=@users.tsv"
                    + (allowed.isEmpty ? "" : "; the only other fields are \(allowed)"))
            return
        }
        guard FeedUploadArea.isPlainName(name) else {
            problem = FeedRequestError(.badRequest, FeedFileName.problem(name))
            return
        }
        guard !received.files.contains(where: { $0.name == name }) else {
            problem = FeedRequestError(.badRequest, "the file \(name) comes twice in the form; send each file once")
            return
        }
        guard received.files.count < receiver.maxFiles else {
            problem = FeedRequestError(.badRequest, "the form holds more than \(receiver.maxFiles) files")
            return
        }
        do {
            file = try open(name)
            currentName = name
        } catch {
            problem = error
        }
    }
}

/// Why a form's file name is refused (``FeedUploadArea/isPlainName(_:)`` says which are).
enum FeedFileName {
    static func problem(_ name: String) -> String {
        "\"\(LogText.safe(name, limit: 80))\" is not a plain file name: name each file as the control file lists it, without directories or control characters, in at most \(FeedUploadArea.maximumNameBytes) bytes"
    }
}

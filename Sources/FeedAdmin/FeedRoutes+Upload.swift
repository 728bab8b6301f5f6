import Daemon
import FeedSource
import Hummingbird
import NIOCore
import SCIM

/// The upload routes: a whole run as multipart/form-data, or a run filled one file per request.
extension FeedRoutes {
    /// `POST /feeds/{pipeline}/runs`: a whole run as multipart/form-data, or (an empty body) a
    /// run whose files follow one per request.
    func upload(_ request: Request, _ context: AdminRequestContext) async throws -> Response {
        let (name, site) = try lookUp(context)
        let by = try Self.by(request)
        try checkLength(request)
        if !Self.hasBody(request) {
            // An empty form is a mistake, not the start of a run whose files follow.
            if let type = request.headers[.contentType], type.lowercased().hasPrefix("multipart/") {
                throw FeedRequestError(.badRequest, "the form holds no file")
            }
            let run = try Self.answer { try site.beginUpload(startedBy: by) }
            logger.info("feed upload begun", metadata: ["pipeline": "\(name)", "run": "\(run)", "by": "\(LogText.safe(by))"])
            guard let record = try Self.answer({ try site.run(run) }) else { throw Self.noSuchRun(run, name) }
            return Self.json(FeedViews.run(record, pipeline: name), status: .created)
        }
        let boundary = try MultipartFileReceiver.boundary(contentType: request.headers[.contentType])
        let receiver = MultipartFileReceiver(boundary: boundary, maxBytes: maxUploadBytes)
        // The run is created with the first file, so that a body refused before any file
        // leaves no run behind; one refused later leaves its run cancelled, with the files
        // that came.
        let opened = RunOfUpload()
        let received: MultipartFileReceiver.Received
        do {
            received = try await receiver.receive(request.body) { file in
                let run = try opened.run ?? Self.answer { try site.beginUpload(startedBy: by, receivedHere: true) }
                opened.run = run
                return WriterSink(writer: try Self.answer { try site.fileWriter(run: run, name: file) })
            }
        } catch {
            if let run = opened.run {
                try? site.cancel(run: run)
                logger.notice(
                    "feed upload refused", metadata: ["pipeline": "\(name)", "run": "\(run)", "error": "\(LogText.safe("\(error)"))"])
            }
            throw error
        }
        guard let run = opened.run else { throw FeedRequestError(.badRequest, "the form holds no file") }
        logger.info(
            "feed upload received",
            metadata: ["pipeline": "\(name)", "run": "\(run)", "files": "\(received.files.count)", "by": "\(LogText.safe(by))"])
        let staged = try await Self.reading { try site.finishUpload(run: run) }
        logger.info(
            "feed upload staged",
            metadata: ["pipeline": "\(name)", "run": "\(run)", "state": "\(staged.run.state.rawValue)", "by": "\(LogText.safe(by))"])
        noteUnlistedFiles(of: staged, pipeline: name)
        return Self.json(
            FeedViews.run(staged.run, pipeline: name, log: try Self.answer { try site.log(of: run) }), status: .created)
    }

    /// `PUT /feeds/{pipeline}/runs/{run}/files/{name}`: the body is the file.
    func putFile(_ request: Request, _ context: AdminRequestContext) async throws -> Response {
        let (name, site) = try lookUp(context)
        let run = try Self.runID(context)
        let file = try Self.pathParameter("name", context)
        try checkLength(request)
        let writer = try Self.answer { try site.fileWriter(run: run, name: file) }
        var size: Int64 = 0
        for try await buffer in request.body {
            size += Int64(buffer.readableBytes)
            guard size <= maxUploadBytes else { throw tooLarge }
            try Self.answer { try writer.write(buffer.readableBytesView) }
        }
        try Self.answer { try writer.close() }
        logger.info("feed file received", metadata: ["pipeline": "\(name)", "run": "\(run)", "file": "\(LogText.safe(file))", "size": "\(size)"])
        return Self.json(
            ["pipeline": .string(name), "run": .integer(run), "name": .string(file), "size": .integer(size)],
            status: .created)
    }

    /// Says which uploaded files were not read: a misnamed export would otherwise go unnoticed.
    func noteUnlistedFiles(of staged: FeedSite.Staged, pipeline: String) {
        guard !staged.unlistedFiles.isEmpty else { return }
        logger.notice(
            "feed upload: files the control file does not list were kept, not read",
            metadata: [
                "pipeline": "\(pipeline)", "run": "\(staged.run.id)",
                "files": "\(staged.unlistedFiles.map { LogText.safe($0) }.joined(separator: ", "))",
            ])
    }

    /// Refuses at the head a body that announces more than the limit.
    private func checkLength(_ request: Request) throws {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxUploadBytes { throw tooLarge }
    }

    private var tooLarge: FeedRequestError {
        FeedRequestError(
            .contentTooLarge,
            "the upload is larger than http.maxUploadSize (\(maxUploadBytes) bytes); raise it, or send the files one per request")
    }

    private static func hasBody(_ request: Request) -> Bool {
        if request.headers[.transferEncoding] != nil { return true }
        guard let length = request.headers[.contentLength] else { return false }
        return length != "0"
    }
}

/// The run an upload created, once its first file came.
private final class RunOfUpload {
    // A class so that the parser's callback, which opens the first file, can set it.
    var run: Int64?
}

/// A feed file writer as the multipart receiver's sink.
private final class WriterSink: ReceivedFileSink {
    let writer: FeedFileWriter

    init(writer: FeedFileWriter) {
        self.writer = writer
    }

    func append(_ buffer: ByteBuffer) throws {
        try writer.write(buffer.readableBytesView)
    }

    func finish() throws {
        try writer.close()
    }
}

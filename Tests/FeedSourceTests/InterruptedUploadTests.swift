import Connectors
import Foundation
import Logging
import Testing

@testable import FeedSource

/// A run left `uploading` by a process that stopped (killed while reading the run's files, or
/// while receiving them in one request) is read again or failed, so that it never refuses
/// every later upload until someone cancels it by hand.
@Suite struct InterruptedUploadTests {
    let dir: TemporaryDirectory

    init() throws {
        dir = try TemporaryDirectory()
    }

    func open(firstRun: FeedSourceConfig.FirstRun = .hold) throws -> FeedSite {
        try FeedSite(
            settings: FeedSourceConfig(controlPath: "control.json", control: try Fixtures.control(), firstRun: firstRun),
            pipeline: "hr", offsetsPath: dir.file("offsets.db"))
    }

    static let users = Fixtures.tsv([
        ("ada", "Ada", "Lovelace", "ada@example.com", "Staff"),
        ("bob", "Bob", "Babbage", "bob@example.com", "Staff;Sales"),
    ])

    /// A process that ran and has exited.
    static func goneProcess() throws -> UploadOwner {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return UploadOwner(pid: process.processIdentifier, startTime: 12_345)
    }

    /// Every file had come and reading had begun when the reader stopped: the run is read
    /// again, whole, and moves on as a finished upload does.
    @Test func aRunWhoseReaderStoppedIsReadAgain() throws {
        let site = try open()
        let run = try site.beginUpload(startedBy: "http")
        try site.area.write(Data(Self.users.utf8), named: "users.tsv", in: run)
        try site.store.beginReading(run, by: try Self.goneProcess())

        let recovered = try site.recoverInterruptedUploads()
        #expect(recovered.map(\.run) == [run])
        let staged = try #require(recovered.first?.reread)
        #expect(staged.run.state == .ready)
        #expect(staged.run.counts["records"] == 2)
        #expect(staged.run.holdReason?.contains("first run") == true)
        #expect(try site.recoverInterruptedUploads().isEmpty)
    }

    /// A run received in one request whose process stopped before every file came can never
    /// be finished: it fails, with the reason, and the next upload is taken.
    @Test func anUploadCutOffWithItsProcessFails() throws {
        let site = try open()
        let gone = try Self.goneProcess()
        let run = try site.store.createRun(startedBy: "http", owner: gone)
        try site.area.write(Data(Self.users.utf8), named: "users.tsv", in: run)
        #expect(throws: FeedSiteError.self) { try site.beginUpload(startedBy: "http") }

        let recovered = try site.recoverInterruptedUploads()
        #expect(recovered.map(\.run) == [run])
        #expect(recovered.first?.reread == nil)
        let record = try #require(try site.run(run))
        #expect(record.state == .failure)
        #expect(record.failureReason?.contains("process receiving it (\(gone.pid)) stopped") == true)
        #expect(record.failureReason?.contains("upload the files again") == true)
        #expect(try site.beginUpload(startedBy: "http") > run)
    }

    /// An upload whose process still runs is its own; one filled file by file (no process
    /// holds it) may get its next file from a later request.
    @Test func uploadsOfRunningProcessesAndResumableOnesAreLeftAlone() throws {
        let site = try open()
        let held = try site.beginUpload(startedBy: "http", receivedHere: true)
        #expect(try site.recoverInterruptedUploads().isEmpty)
        #expect(try site.run(held)?.state == .uploading)
        try site.cancel(run: held)

        let resumable = try site.beginUpload(startedBy: "http")
        #expect(try site.recoverInterruptedUploads { _ in false }.isEmpty)
        #expect(try site.run(resumable)?.state == .uploading)
    }

    /// The feed's stream recovers such a run at its next look: read again, then applied.
    @Test func theStreamReadsAgainARunWhoseReaderStopped() async throws {
        let site = try open(firstRun: .apply)
        let run = try site.beginUpload(startedBy: "http")
        try site.area.write(Data(Self.users.utf8), named: "users.tsv", in: run)
        try site.store.beginReading(run, by: try Self.goneProcess())
        let connector = FeedConnector(
            site: site, settings: .init(poll: .milliseconds(10), keepFiles: 2, chunkUsers: 10), logger: Logger(label: "test"))
        let stream = try await connector.openStream(from: FeedPosition(run: 0, applied: 0).sourcePosition)
        guard case .batch(let batch)? = try await stream.next() else {
            Issue.record("expected the run's first chunk")
            await stream.stop()
            return
        }
        #expect(FeedPosition(batch.position)?.run == run)
        #expect(batch.ops.count >= 2)
        await stream.stop()
    }

    @Test func aProcessIsKnownByItsIdAndStartTime() throws {
        let current = UploadOwner.current
        #expect(current.pid == getpid())
        #expect(current.startTime > 0)
        #expect(current.isRunning)
        // The same id given to a later process is not the same process.
        #expect(!UploadOwner(pid: current.pid, startTime: current.startTime + 1).isRunning)
        #expect(!(try Self.goneProcess()).isRunning)
        // A machine's restart ends every process; one in another container cannot be seen.
        #expect(!UploadOwner(pid: current.pid, startTime: current.startTime, boot: "an-earlier-boot").isRunning)
        #expect(UploadOwner(pid: 999_999, startTime: 1, namespace: "pid:[1]").isRunning)
        #expect(!current.boot.isEmpty && current.namespace.hasPrefix("pid:["))
        #expect(UploadOwner(current.description) == current)
        for junk in ["", "12", "12 5", "0 5 b n", "-3 5 b n", "a b c d", "1 2 3 4 5"] {
            #expect(UploadOwner(junk) == nil, "\(junk)")
        }
    }
}

import AsyncHTTPClient
import Dispatch
import Foundation
import NIOCore
import SCIM

/// scripts/wecom-sim, the contract simulator of WeCom's directory API, started by a test on a
/// free loopback port (it picks one and prints `ready on HOST:PORT`) with a corp and secrets of
/// the test's own, and stopped when this value goes away; its control API (`/_sim/...`)
/// drives it.
final class WeComSim: @unchecked Sendable {
    let baseURL: String
    let corpID: String
    let appSecret: String
    let contactSecret: String
    private let process: Process

    private init(baseURL: String, corpID: String, appSecret: String, contactSecret: String, process: Process) {
        self.baseURL = baseURL
        self.corpID = corpID
        self.appSecret = appSecret
        self.contactSecret = contactSecret
        self.process = process
    }

    static let repositoryRoot: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Starts a simulator (`arguments`: `--legacy-app` and the like) and waits (without
    /// holding a thread of Swift's pool) for its `ready on` line.
    static func start(arguments: [String] = []) async throws -> WeComSim {
        let corpID = "ww\(String(UInt64.random(in: 0...UInt64.max), radix: 16))"
        let appSecret = "app-\(UUID().uuidString)"
        let contactSecret = "contact-\(UUID().uuidString)"
        let process = Process()
        // The test process blocks SIGTERM and children inherit the mask: Python clears it, then
        // becomes the simulator, so that `terminate()` stops it.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [
            "-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1], sys.argv[1:])",
            repositoryRoot + "/scripts/wecom-sim", "--port", "0", "--corp-id", corpID, "--app-secret", appSecret,
            "--contact-secret", contactSecret,
        ] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let handle = output.fileHandleForReading
        let line: String? = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var text = ""
                var resumed = false
                // Read to the end, so that whatever the simulator prints later never fills the pipe.
                while true {
                    let data = handle.availableData
                    if data.isEmpty { break }
                    guard !resumed else { continue }
                    text += String(decoding: data, as: UTF8.self)
                    if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("ready on ") }) {
                        continuation.resume(returning: String(line))
                        resumed = true
                    }
                }
                if !resumed { continuation.resume(returning: nil) }
            }
        }
        guard let line else {
            if process.isRunning { process.terminate() }
            throw WeComSimFailed(reason: "wecom-sim exited before it was ready")
        }
        let address = line.dropFirst("ready on ".count).trimmingCharacters(in: .whitespaces)
        return WeComSim(
            baseURL: "http://\(address)", corpID: corpID, appSecret: appSecret, contactSecret: contactSecret, process: process)
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    /// A control call; its JSON answer.
    @discardableResult
    func control(_ method: String, _ path: String, _ body: SCIMValue? = nil) async throws -> SCIMObject {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .init(rawValue: method)
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body.jsonBytes()))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        guard response.status.code == 200, case .object(let answer) = try SCIMValue(json: bytes.readableBytesView) else {
            throw WeComSimFailed(reason: "\(method) \(path): HTTP \(response.status.code) \(String(buffer: bytes))")
        }
        return answer
    }

    func load(_ directory: SCIMValue) async throws { try await control("POST", "/_sim/load", directory) }

    /// Requests per API name so far.
    func counts() async throws -> (perAPI: [String: Int], tokensIssued: Int, rateLimited: Int) {
        let answer = try await control("GET", "/_sim/requests")
        var perAPI: [String: Int] = [:]
        for key in answer["counts"]?.objectValue?.keys ?? [] {
            if case .integer(let count)? = answer["counts"]?.objectValue?[key] { perAPI[key] = Int(count) }
        }
        func number(_ key: String) -> Int {
            if case .integer(let count)? = answer[key] { return Int(count) }
            return -1
        }
        return (perAPI, number("tokensIssued"), number("rateLimited"))
    }
}

struct WeComSimFailed: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}

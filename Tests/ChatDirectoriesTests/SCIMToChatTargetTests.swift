import AsyncHTTPClient
import ChatDirectories
import Config
import Daemon
import Foundation
import NIOCore
import OffsetStore
import Reconcile
import SCIM
import SourceKinds
import TargetKinds
import Testing
import TestSupport
import scimsync

/// `source: { scim: ... }` into each chat platform (config/dingtalk-from-scim.yaml, its target
/// block swapped for the other platforms' examples): a real SCIM provider (scim2-server) read
/// by the daemon's pipeline and written to the platform's simulator, a first load and then
/// changes on the provider, checked in the simulator's `GET /_sim/state`.
@Suite struct SCIMToChatTargetTests {
    /// config/dingtalk-from-scim.yaml with `platform`'s target block, polling every second, a
    /// full pull (which finds deletions and dropped members) every 3 s, any share removable.
    static func configText(_ platform: ChatTargetPlatform) throws -> String {
        var text = try String(contentsOfFile: FeishuSim.repositoryRoot + "/config/dingtalk-from-scim.yaml", encoding: .utf8)
        if platform != .dingtalk {
            let dingtalk = try ChatTargetPlatform.targetBlock(in: text, of: "config/dingtalk-from-scim.yaml")
            text = text.replacingOccurrences(of: dingtalk, with: try platform.exampleTargetBlock())
        }
        return text
            .replacingOccurrences(of: "interval: 1h", with: "interval: 3s")
            .replacingOccurrences(of: "poll: 1m", with: "poll: 1s")
            .replacingOccurrences(of: "http: { port: 9100 }", with: "http: { port: \(try TestServers.closedPort()) }")
            // A directory of three: one removal is a third of it.
            .replacingOccurrences(of: "maxRemovals: 10%", with: "maxRemovals: 100%")
    }

    @Test(arguments: ChatTargetPlatform.allCases)
    func aSCIMProviderIsWrittenAndKeptInStep(_ platform: ChatTargetPlatform) async throws {
        let sim = try await platform.start()
        let peer = try await SCIMPeer.start()
        let provider = ProviderCalls(peer)

        func user(_ name: String, _ display: String, _ mobile: String) -> SCIMValue {
            [
                "schemas": [.string(SchemaURN.user)], "userName": .string(name), "displayName": .string(display),
                "phoneNumbers": [["type": "work", "value": .string(mobile)]],
                "emails": [["type": "work", "value": .string("\(name)@example.com")]], "active": true,
            ]
        }
        let alice = try await provider.create("Users", user("alice", "Alice Chen", "+86 13800000001"))
        let bob = try await provider.create("Users", user("bob", "Bob Smith", "+86 13800000002"))
        let carol = try await provider.create("Users", user("carol", "Carol Li", "+86 13800000003"))
        let engineering = try await provider.create(
            "Groups",
            ["schemas": [.string(SchemaURN.group)], "displayName": "Engineering", "members": [["value": .string(alice)], ["value": .string(bob)]]])
        let sales = try await provider.create(
            "Groups",
            ["schemas": [.string(SchemaURN.group)], "displayName": "Sales", "members": [["value": .string(bob)], ["value": .string(carol)]]])

        let state = NSTemporaryDirectory() + TestServers.uniqueName("scimsync-scim-to-\(platform)")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let config = try ConfigLoader.parse(
            try Self.configText(platform), file: "dingtalk-from-scim.yaml", baseDirectory: state, kinds: configKinds,
            environment: sim.environment.merging(["SCIM_URL": peer.url, "SCIM_TOKEN": peer.token, "SCIMSYNC_STATE_DIR": state]) { a, _ in a })
        let pipeline = try #require(config.pipelines.first)
        #expect(pipeline.target.kind == platform.rawValue)
        // The provider's groups have no parent: the platform's layout stands in without one.
        #expect(pipeline.sourceLayout.groups?.parent == nil && pipeline.targetLayout.groups?.parent != nil)
        let rules = ReconcileRules(source: pipeline.sourceLayout, target: pipeline.targetLayout, onDelete: .delete, adopt: false)
        #expect(!rules.compareParents)
        let store = try OffsetStore(path: config.offsets.path)
        let run = Task {
            try await Pipeline(configuration: pipeline, store: store, sources: SourceKinds.registry, targets: TargetKinds.registry)
                .run()
        }
        defer { run.cancel() }

        let (a, b, c) = (platform.userID(alice), platform.userID(bob), platform.userID(carol))
        // Groups without a parent: departments under the platform's root.
        let loadedDepartments = ["Engineering|(root)", "Sales|(root)"]
        let loadedUsers = ["\(a)|Alice Chen|Engineering", "\(b)|Bob Smith|Engineering,Sales", "\(c)|Carol Li|Sales"].sorted()
        var last = try await sim.state()
        let loaded = try await eventually {
            last = try await sim.state()
            return last.departments == loadedDepartments && last.users == loadedUsers
        }
        #expect(loaded, "\(platform): the first load did not arrive: \(last)")

        // On the provider: a group renamed, a user renamed, a member dropped, a user deleted.
        try await provider.patch("Groups", engineering, ["op": "replace", "path": "displayName", "value": "Research"])
        try await provider.patch("Users", alice, ["op": "replace", "path": "displayName", "value": "Alice Wang"])
        try await provider.patch("Groups", sales, ["op": "remove", "path": .string(#"members[value eq "\#(bob)"]"#)])
        try await provider.delete("Users", carol)
        let changedDepartments = ["Research|(root)", "Sales|(root)"]
        let changedUsers = ["\(a)|Alice Wang|Research", "\(b)|Bob Smith|Research"].sorted()
        let changed = try await eventually {
            last = try await sim.state()
            return last.departments == changedDepartments && last.users == changedUsers
        }
        #expect(changed, "\(platform): the provider's changes did not arrive: \(last)")
        run.cancel()
        _ = await run.result
        #expect(try store.quarantined(pipeline: pipeline.name).isEmpty)
    }
}

/// Writes to the SCIM provider over HTTP with its bearer token: the resources the test seeds
/// and changes.
struct ProviderCalls: Sendable {
    let url: String
    let token: String

    init(_ peer: SCIMPeer) {
        url = peer.url
        token = peer.token
    }

    /// POSTs `resource` to `/endpoint`; the provider's id for it.
    func create(_ endpoint: String, _ resource: SCIMValue) async throws -> String {
        let answer = try await call("POST", "/\(endpoint)", resource, expecting: 201)
        guard case .object(let object)? = answer, let id = object["id"]?.stringValue else {
            throw SCIMPeerFailed(reason: "POST /\(endpoint): no id in the answer")
        }
        return id
    }

    func patch(_ endpoint: String, _ id: String, _ operation: SCIMValue) async throws {
        _ = try await call(
            "PATCH", "/\(endpoint)/\(id)",
            ["schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [operation]], expecting: 200, 204)
    }

    func delete(_ endpoint: String, _ id: String) async throws {
        _ = try await call("DELETE", "/\(endpoint)/\(id)", nil, expecting: 204)
    }

    private func call(_ method: String, _ path: String, _ body: SCIMValue?, expecting codes: UInt...) async throws -> SCIMValue? {
        var request = HTTPClientRequest(url: url + path)
        request.method = .init(rawValue: method)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/scim+json")
            request.body = .bytes(ByteBuffer(bytes: body.jsonBytes()))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        guard codes.contains(response.status.code) else {
            throw SCIMPeerFailed(reason: "\(method) \(path): HTTP \(response.status.code) \(String(buffer: bytes))")
        }
        return bytes.readableBytes == 0 ? nil : try SCIMValue(json: bytes.readableBytesView)
    }
}

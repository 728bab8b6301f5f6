import Directory
import FeedSource
import SCIM

/// A feed source's side of an explanation: the feed has no database to read, so the source
/// "now" is what the feed knows of the user from its last applied run (the ownership ledger
/// of the feed, the in-feed flag, the last record received).
struct FeedSide {
    var resource: SCIMResource?
    /// Why the resource is not compared, when it is not.
    var note: String?
    /// What the feed knows besides the resource.
    var facts: [String]
    /// The user's id in the target, when the feed created it.
    var id: String?

    init(settings: FeedSourceConfig, pipeline: String, offsetsPath: String, kind: ResourceKind, id: String) throws {
        facts = []
        guard kind == .user else {
            note = "not read: a feed changes only its managed groups' memberships; explain their members one user at a time"
            return
        }
        let site = try FeedSite(settings: settings, pipeline: pipeline, offsetsPath: offsetsPath)
        // The feed creates users with their userName as id, and looks userNames up ignoring case.
        guard let known = try site.store.user(named: id) else {
            facts = ["the feed has not received this userName in any applied run"]
            return
        }
        self.id = known.id
        if let run = known.lastChangedRun { facts.append("last changed by feed run \(run)") }
        if !known.groups.isEmpty { facts.append("managed groups the feed put it in: \(known.groups.joined(separator: ", "))") }
        if known.error { facts.append("flagged: its last record was skipped or refused; the next run sends it whole") }
        if let raw = known.rawJSON { facts.append("last record received: \(raw)") }
        guard known.owned, let target = known.id else {
            note =
                "not compared: the feed did not create this user (the target already had its userName), so it never changes or blocks it"
            return
        }
        facts.insert(known.inFeed ? "in the feed's last applied run" : "not in the feed's last applied run: blocked", at: 0)
        var resource = known.resource ?? SCIMResource()
        resource.attributes["id"] = .string(target)
        // A blocked user is deactivated in the target, and stays as it was otherwise.
        if !known.inFeed { resource.attributes["active"] = .bool(false) }
        self.resource = resource
    }
}

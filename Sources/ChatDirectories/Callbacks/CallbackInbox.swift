import Connectors
import Synchronization

/// Where a pipeline's callback receiver puts the events it opened, for the pipeline's
/// ``CallbackStream`` to apply: `deliver` returns at once (the platform's HTTP answer must not
/// wait for the objects to be fetched), from any task.
///
/// The platforms deliver an event again when an answer is late or lost (Feishu and DingTalk
/// retry for hours), so an event whose ``PlatformEvent/id`` was delivered among the last
/// `deduplicationWindow` ids is dropped. The queue holds at most `capacity` events: when a
/// delivery would overflow it, the queue is dropped and a full read asked for instead, which
/// repairs everything the dropped events said (and more), and ``overflows`` counts it.
///
/// One inbox lives as long as its pipeline's connector, across the streams the pipeline
/// opens after each full read: events delivered while a read runs wait for the next stream.
public final class CallbackInbox: Sendable {
    /// What the stream takes from the inbox at once.
    struct Taken: Sendable {
        var events: [PlatformEvent]
        /// Why a full read is wanted (the queue overflowed), if it is.
        var fullRead: String?
    }

    private struct State {
        var queue: [PlatformEvent] = []
        var head = 0
        var seen: Set<String> = []
        var seenOrder: [String] = []
        var seenHead = 0
        var fullRead: String?
        var delivered = 0
        var duplicates = 0
        var overflows = 0

        var queued: Int { queue.count - head }

        mutating func remember(_ id: String, window: Int) -> Bool {
            guard seen.insert(id).inserted else { return false }
            seenOrder.append(id)
            while seenOrder.count - seenHead > window {
                seen.remove(seenOrder[seenHead])
                seenHead += 1
            }
            // The forgotten prefix is cut off once it is as long as what is kept.
            if seenHead > window { seenOrder.removeFirst(seenHead); seenHead = 0 }
            return true
        }
    }

    /// The most events queued at once.
    public let capacity: Int
    /// How many of the latest event ids a duplicate is looked for among.
    public let deduplicationWindow: Int
    private let state = Mutex(State())
    private let arrived = Wakeup()

    public init(capacity: Int = 10_000, deduplicationWindow: Int = 10_000) {
        self.capacity = max(capacity, 1)
        self.deduplicationWindow = max(deduplicationWindow, 1)
    }

    /// Queues `events` (less those already delivered) and returns what became of them.
    @discardableResult
    public func deliver(_ events: [PlatformEvent]) -> CallbackDelivery {
        guard !events.isEmpty else { return CallbackDelivery() }
        let (capacity, window) = (self.capacity, deduplicationWindow)
        let delivery = state.withLock { state in
            var delivery = CallbackDelivery()
            for event in events {
                guard state.remember(event.id, window: window) else {
                    state.duplicates += 1
                    delivery.duplicates += 1
                    continue
                }
                state.delivered += 1
                guard state.fullRead == nil else {
                    delivery.fullRead += 1  // the read to come covers it
                    continue
                }
                guard state.queued < capacity else {
                    state.queue = []
                    state.head = 0
                    state.overflows += 1
                    state.fullRead = "more than \(capacity) callback events were waiting to be applied"
                    delivery.fullRead += 1
                    continue
                }
                state.queue.append(event)
                delivery.queued += 1
            }
            return delivery
        }
        arrived.signal()
        return delivery
    }

    /// Events delivered and queued (duplicates left out), since the inbox was made.
    public var delivered: Int { state.withLock { $0.delivered } }
    /// Deliveries dropped as duplicates.
    public var duplicates: Int { state.withLock { $0.duplicates } }
    /// Times the queue overflowed and was replaced by a full read.
    public var overflows: Int { state.withLock { $0.overflows } }
    /// Events waiting to be taken by the stream.
    public var queued: Int { state.withLock { $0.queued } }

    /// Up to `limit` events, or the full read wanted instead; waits while there is neither.
    /// Nil when the waiting task is cancelled.
    func take(limit: Int) async -> Taken? {
        while true {
            let taken = state.withLock { state -> Taken? in
                if let reason = state.fullRead {
                    state.fullRead = nil
                    return Taken(events: [], fullRead: reason)
                }
                guard state.queued > 0 else { return nil }
                let end = min(state.head + max(limit, 1), state.queue.count)
                let events = Array(state.queue[state.head..<end])
                state.head = end
                if state.head == state.queue.count {
                    state.queue = []
                    state.head = 0
                } else if state.head > 4096, state.head * 2 > state.queue.count {
                    state.queue.removeFirst(state.head)
                    state.head = 0
                }
                return Taken(events: events)
            }
            if let taken { return taken }
            if Task.isCancelled { return nil }
            await arrived.wait()
        }
    }

    /// Drops what is queued: a full read is about to cover it.
    func discardQueued() {
        state.withLock { state in
            state.queue = []
            state.head = 0
        }
    }
}

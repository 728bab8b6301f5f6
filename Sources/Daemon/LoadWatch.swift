import Prometheus
import Logging
import Synchronization

/// Says how a load (the first one, a resync, a recovery) is getting on: every `every`, what it
/// has read and written so far; and once, when nothing moved for `quietAfter` (a frozen source
/// or target, a lock another client holds), that it is stuck and still waiting, then again
/// when it moves. Without it a load that waits shows only `loading`, for as long as it waits.
///
/// The load's writes call ``wrote(_:now:)``, its reads ``read(now:)``; one task calls
/// ``look(now:)``.
final class LoadWatch: Sendable {
    private struct Progress {
        var rows = 0
        var movedAt: ContinuousClock.Instant
        var toldAt: ContinuousClock.Instant
        var stuck = false
    }

    let every: Duration
    let quietAfter: Duration
    private let progress: Mutex<Progress>

    init(every: Duration = .seconds(60), quietAfter: Duration = .seconds(60), now: ContinuousClock.Instant = .now) {
        self.every = every
        self.quietAfter = quietAfter
        progress = Mutex(Progress(movedAt: now, toldAt: now))
    }

    /// The load wrote `rows` more users, groups or memberships.
    func wrote(_ rows: Int, now: ContinuousClock.Instant = .now) {
        progress.withLock {
            $0.rows += rows
            $0.movedAt = now
        }
    }

    /// The load read more of the source or the target (a pass that finds them equal writes
    /// nothing for a long time, and is not stuck).
    func read(now: ContinuousClock.Instant = .now) {
        progress.withLock { $0.movedAt = now }
    }

    /// What there is to say at `now`, if anything: progress every `every`; a warning once when
    /// nothing moved for `quietAfter`, and a notice when it moves again.
    func look(now: ContinuousClock.Instant = .now) -> LoadReport? {
        progress.withLock { progress in
            let quiet = now - progress.movedAt
            if progress.stuck {
                guard quiet < quietAfter else { return nil }
                progress.stuck = false
                progress.toldAt = now
                return .moving(rows: progress.rows)
            }
            if quiet >= quietAfter {
                progress.stuck = true
                progress.toldAt = now
                return .stuck(rows: progress.rows, for: quietAfter)
            }
            guard now - progress.toldAt >= every else { return nil }
            progress.toldAt = now
            return .progress(rows: progress.rows)
        }
    }

    /// Looks every second until cancelled and logs what there is to say; a stuck load counts
    /// in `errors`.
    func watch(logger: Logger, errors: Counter) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            guard let report = look() else { continue }
            switch report {
            case .progress: logger.info("\(report.message)")
            case .stuck:
                errors.increment()
                logger.warning("\(report.message)")
            case .moving: logger.notice("\(report.message)")
            }
        }
    }
}

/// What ``LoadWatch`` says.
enum LoadReport: Equatable {
    case progress(rows: Int)
    case stuck(rows: Int, for: Duration)
    case moving(rows: Int)

    /// The log line.
    var message: String {
        switch self {
        case .progress(let rows): "loading: \(rows) users, groups and memberships written so far"
        case .stuck(let rows, let quiet):
            "the load has read and written nothing for \(quiet.components.seconds) s (\(rows) written so far): the source or the target "
                + "is not answering, or another client holds a lock it needs; still waiting"
        case .moving(let rows): "the load is moving again (\(rows) written so far)"
        }
    }
}

import Foundation

/// The one-writer rule: a store is written by one run at a time, so two runs can never load
/// the same rows. Each backend answers it its own way (SQLite with a kernel lock on a file
/// beside the database); readers such as `status` never take it.
public protocol WriterLock: AnyObject, Sendable {
    /// The store this lock guards, as a user would name it (a path, a database).
    var store: String { get }
    /// Takes the lock if it is free, without waiting; the lock is then held until `release`
    /// or until the process ends, however it ends.
    /// - Throws: `StoreError` when the lock cannot be tried at all (no permission, no such folder).
    func tryAcquire(as holder: StoreHolder) throws -> LockAttempt
    /// Lets the lock go; does nothing when it is not held.
    func release()
}

/// What one try for a writer lock found.
public enum LockAttempt: Sendable, Equatable {
    case acquired
    /// Another run holds it; who, when it said.
    case held(by: StoreHolder?)
}

/// How long a run waits for a store another run is writing.
public enum LockWait: Sendable, Equatable {
    /// Give up at once (the default): an overlapping run is reported, not queued.
    case none
    case forever
    case atMost(Duration)
}

/// The run that writes a store, as the next run sees it.
public struct StoreHolder: Sendable, Equatable, CustomStringConvertible {
    public var pid: Int32
    public var host: String
    /// Unix seconds.
    public var startedAt: Double
    public var pipeline: String

    public init(pid: Int32, host: String, startedAt: Double, pipeline: String) {
        self.pid = pid
        self.host = host
        self.startedAt = startedAt
        self.pipeline = pipeline
    }

    /// This process, starting now.
    public static func current(pipeline: String) -> StoreHolder {
        StoreHolder(pid: getpid(), host: ProcessInfo.processInfo.hostName, startedAt: Date().timeIntervalSince1970,
                    pipeline: pipeline)
    }

    public var description: String {
        let since = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: startedAt))
        return "pid \(pid) on \(host) (pipeline \(pipeline)) since \(since)"
    }

    /// `key value` lines, one per field: what a lock file holds, readable with `cat`.
    public var text: String {
        "pid \(pid)\nhost \(host)\nstarted \(startedAt)\npipeline \(pipeline)\n"
    }

    /// Reads `text` back; nil when it is incomplete (a holder still writing it).
    public init?(text: String) {
        var fields: [Substring: Substring] = [:]
        for line in text.split(separator: "\n") {
            guard let space = line.firstIndex(of: " ") else { continue }
            fields[line[..<space]] = line[line.index(after: space)...]
        }
        guard let pid = fields["pid"].flatMap({ Int32($0) }), let host = fields["host"],
              let started = fields["started"].flatMap({ Double($0) }), let pipeline = fields["pipeline"] else { return nil }
        self.init(pid: pid, host: String(host), startedAt: started, pipeline: String(pipeline))
    }
}

/// The store is being written by another run; nothing was loaded.
public struct StoreBusy: Error, CustomStringConvertible, Sendable {
    public let store: String
    public let holder: StoreHolder?
    /// How long this run waited before giving up; nil when it was not asked to wait.
    public let waited: Duration?
    /// Set when a stop signal ended the wait.
    public let stoppedBySignal: Int32?

    public var description: String {
        let who = holder.map { "another run: \($0)" } ?? "another run"
        let stopped = stoppedBySignal.map { " (stopped by signal \($0) while waiting)" } ?? ""
        let waitedText = waited.map { " after waiting \(String(format: "%.1f", $0.inSeconds)) s" } ?? ""
        return "the store \(store) is held by \(who); nothing was loaded\(waitedText)\(stopped)"
    }
}

extension WriterLock {
    /// Takes the lock, waiting for it as `wait` says and trying again every `poll`; a stop
    /// request ends the wait.
    /// - Parameter onWait: called once, with the holder, when the lock is taken and this run starts waiting.
    /// - Throws: `StoreBusy` when it is not taken, `StoreError` when it cannot be tried.
    public func acquire(as holder: StoreHolder, wait: LockWait, stop: StopRequest = StopRequest(),
                        poll: Duration = .milliseconds(100),
                        onWait: (StoreHolder?) -> Void = { _ in }) async throws {
        let clock = ContinuousClock()
        let start = clock.now
        var waiting = false
        while true {
            let attempt = try tryAcquire(as: holder)
            guard case .held(let other) = attempt else { return }
            let waited = clock.now - start
            let outOfTime: Bool = switch wait {
            case .none: true
            case .forever: false
            case .atMost(let limit): waited >= limit
            }
            if outOfTime || stop.isRequested {
                throw StoreBusy(store: store, holder: other, waited: wait == .none ? nil : waited,
                                stoppedBySignal: stop.signal)
            }
            if !waiting {
                waiting = true
                onWait(other)
            }
            try await Task.sleep(for: poll)
        }
    }
}

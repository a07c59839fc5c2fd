import SluiceCore
import SluiceObservability

/// How a run shows its progress on standard error: a live display on a terminal, otherwise
/// plain lines (a line per interval after a commit for `run`, every interval for `stream`).
struct Progress {
    let observers: [any EngineObserver]
    private let live: LiveDisplay?
    private let streamLines: StreamProgress?

    init(_ options: RunOptions, mode: String, pipeline: String) {
        guard let interval = options.progressInterval else {
            (observers, live, streamLines) = ([], nil, nil)
            return
        }
        if options.liveDisplay {
            let board = StatusBoard(pipeline: pipeline, mode: mode)
            (observers, live, streamLines) = ([board], LiveDisplay(board: board, mode: mode), nil)
        } else if mode == "stream" {
            let lines = StreamProgress(interval: interval)
            (observers, live, streamLines) = ([lines], nil, lines)
        } else {
            (observers, live, streamLines) = ([ProgressMeter(interval: interval)], nil, nil)
        }
    }

    /// Runs `body` with the display or the line printer beside it; the display draws its last
    /// state before this returns, so the summary follows it.
    func showing<T>(_ body: () async throws -> T) async throws -> T {
        let printer: Task<Void, Never>? = if let live { Task { await live.run() } }
            else if let streamLines { Task { await streamLines.run() } } else { nil }
        defer { printer?.cancel() }
        let result: T
        do {
            result = try await body()
        } catch {
            printer?.cancel()
            await printer?.value
            throw error
        }
        printer?.cancel()
        await printer?.value
        return result
    }
}

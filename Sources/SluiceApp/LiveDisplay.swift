import Foundation
import SluiceCore
import SluiceObservability

/// The progress of a run on a terminal: a few lines redrawn in place, a headline (files, rows,
/// MB with its rate, and the ETA of a batch) and one line per active supplier with its open
/// slots against its cap. It reads the same status board `/status` serves.
final class LiveDisplay: Sendable {
    private let board: StatusBoard
    private let mode: String
    private let interval: Duration
    private let start = ContinuousClock.now
    private let console: Console
    /// Supplier lines shown at most; the rest are counted.
    static let maxSuppliers = 20

    init(board: StatusBoard, mode: String, interval: Duration = .milliseconds(250), console: Console = .standardError) {
        self.board = board
        self.mode = mode
        self.interval = interval
        self.console = console
    }

    /// Redraws every interval until cancelled, then draws the last state once more.
    func run() async {
        var history: [(at: ContinuousClock.Instant, bytes: Int64)] = []
        var stopped = false
        repeat {
            stopped = (try? await Task.sleep(for: interval)) == nil
            let now = ContinuousClock.now
            let snapshot = board.snapshot()
            let bytes = snapshot.suppliers.reduce(0) { $0 + $1.bytesRead }
            history.append((now, bytes))
            history.removeAll { now - $0.at > .seconds(5) }
            // A line wider than the terminal would wrap, and the redraw would climb too few lines.
            let width = Self.terminalColumns()
            let lines = render(snapshot, now: now, recentRate: rate(history)).map { String($0.prefix(max(20, width - 1))) }
            console.draw(lines)
        } while !stopped
    }

    /// The terminal's width, or 80 when it does not say.
    static func terminalColumns() -> Int {
        var size = winsize()
        guard ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    /// Bytes per second over the recent window.
    private func rate(_ history: [(at: ContinuousClock.Instant, bytes: Int64)]) -> Double {
        guard let first = history.first, let last = history.last, last.at > first.at else { return 0 }
        return Double(last.bytes - first.bytes) / (last.at - first.at).inSeconds
    }

    func render(_ snapshot: StatusBoard.Snapshot, now: ContinuousClock.Instant, recentRate: Double) -> [String] {
        let suppliers = snapshot.suppliers
        let finished = suppliers.reduce(0) { $0 + $1.filesDone + $1.filesQuarantined + $1.filesFailed }
        let open = suppliers.reduce(0) { $0 + $1.slotsInUse }
        let queued = suppliers.reduce(0) { $0 + $1.filesQueued }
        let rows = suppliers.reduce(RowCounts()) { $0 + $1.rows }
        let megabytes = Double(suppliers.reduce(0) { $0 + $1.bytesRead }) / 1_000_000
        let elapsed = (now - start).inSeconds
        var headline = "sluice \(mode) · "
        if mode == "run" {
            let total = finished + open + queued
            headline += "\(finished)/\(total) files · "
        } else {
            headline += "\(finished) files · \(queued) queued · \(suppliers.reduce(0) { $0 + $1.filesWaiting }) waiting to be complete · "
        }
        headline += "\(grouped(rows.loaded)) rows loaded, \(grouped(rows.quarantined)) quarantined · "
            + String(format: "%.1f MB at %.1f MB/s · ", megabytes, recentRate / 1_000_000) + "\(clock(elapsed)) elapsed"
        if mode == "run", finished > 0, open + queued > 0 {
            headline += " · ETA " + clock(elapsed / Double(finished) * Double(open + queued))
        }
        let active = suppliers.filter { $0.slotsInUse > 0 || $0.filesQueued > 0 }
        let width = max(8, active.map(\.name.count).max() ?? 0)
        var lines = [headline]
        for supplier in active.prefix(Self.maxSuppliers) {
            let slots = String(repeating: "■", count: min(supplier.slotsInUse, 12))
                + String(repeating: "□", count: max(0, min(supplier.slotsCap, 12) - supplier.slotsInUse))
            lines.append("  " + supplier.name.padding(toLength: width, withPad: " ", startingAt: 0)
                         + "  \(slots) \(supplier.slotsInUse)/\(supplier.slotsCap) open · \(supplier.filesQueued) queued · "
                         + "\(supplier.filesDone) done · \(grouped(supplier.rows.loaded)) rows"
                         + (supplier.breakerOpen ? " · paused by its breaker" : ""))
        }
        if active.count > Self.maxSuppliers { lines.append("  … and \(active.count - Self.maxSuppliers) more suppliers at work") }
        return lines
    }

    private func grouped(_ number: Int) -> String { number.formatted(.number.grouping(.automatic)) }

    private func clock(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        return whole < 60 ? "\(whole)s" : whole < 3_600 ? "\(whole / 60)m\(String(format: "%02d", whole % 60))s"
            : "\(whole / 3_600)h\(String(format: "%02d", whole / 60 % 60))m"
    }
}

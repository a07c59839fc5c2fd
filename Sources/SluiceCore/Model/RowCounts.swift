/// What happened to the rows of a file, a batch, a supplier or a run. Blank lines skipped are
/// counted beside the rows but are not rows: read = loaded + quarantined + filtered leaves them out.
public struct RowCounts: Sendable, Equatable, Hashable, Codable {
    public var read = 0
    public var loaded = 0
    public var quarantined = 0
    public var filtered = 0
    public var blankLinesSkipped = 0

    public init(read: Int = 0, loaded: Int = 0, quarantined: Int = 0, filtered: Int = 0, blankLinesSkipped: Int = 0) {
        self.read = read
        self.loaded = loaded
        self.quarantined = quarantined
        self.filtered = filtered
        self.blankLinesSkipped = blankLinesSkipped
    }

    /// read = loaded + quarantined + filtered.
    public var reconciles: Bool { read == loaded + quarantined + filtered }

    public static func += (total: inout RowCounts, more: RowCounts) {
        total.read += more.read
        total.loaded += more.loaded
        total.quarantined += more.quarantined
        total.filtered += more.filtered
        total.blankLinesSkipped += more.blankLinesSkipped
    }

    public static func -= (total: inout RowCounts, less: RowCounts) {
        total.read -= less.read
        total.loaded -= less.loaded
        total.quarantined -= less.quarantined
        total.filtered -= less.filtered
        total.blankLinesSkipped -= less.blankLinesSkipped
    }

    public static func + (left: RowCounts, right: RowCounts) -> RowCounts {
        var sum = left
        sum += right
        return sum
    }
}

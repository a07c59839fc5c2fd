/// How one supplier writes its files: the dialect, how its header maps onto the schema, how
/// it writes numbers, dates and nulls, and what a header that drifts from the schema does.
///
/// The pipeline has a default (the profile keys under `source`); a supplier entry names one
/// of `profiles` (`profile: eu-semicolon`) and may override keys inline.
public struct SupplierProfile: Sendable, Equatable {
    /// The named profile it starts from, for messages and the store; nil for the pipeline default.
    public var name: String?
    public var delimiter: UInt8 = UInt8(ascii: ",")
    public var quote: UInt8 = UInt8(ascii: "\"")
    public var escape: QuoteEscape = .doubled
    public var header: HeaderPresence = .present
    /// For `header: absent`: the schema columns in file order (nil: the schema's own order).
    public var columns: [String]?
    /// Header names that map to a schema column, by column.
    public var aliases: [String: [String]] = [:]
    public var headerMatch: HeaderMatch = .exact
    public var numbers = NumberFormat()
    /// Overrides every date column's `format`, e.g. `DD.MM.YYYY`.
    public var dateFormat: String?
    /// A layout of `YYYY MM DD HH mm ss` for timestamps, e.g. `DD.MM.YYYY HH:mm:ss`.
    public var timestampFormat: String?
    /// The zone of timestamps written without one; nil keeps them as written.
    public var timeZone: ZoneRule?
    /// Field texts read as no value; `""` is always one.
    public var nullValues: [String] = [""]
    /// Spaces and tabs around every field are taken off before it is validated.
    public var trim = false
    public var encoding: TextEncoding = .utf8
    public var onDrift: DriftPolicy = .warn
    public var extraColumns: ExtraColumnPolicy = .keep

    public init() {}
}

/// How a quote is written inside a quoted field.
public enum QuoteEscape: String, Sendable, CaseIterable {
    /// `""` (RFC 4180).
    case doubled
    /// `\"`; a backslash also escapes itself and the delimiter.
    case backslash
}

public enum HeaderPresence: String, Sendable, CaseIterable {
    case present
    /// The first line is data: fields map to columns by position.
    case absent
}

/// How a header name is compared with column names and aliases.
public enum HeaderMatch: String, Sendable, CaseIterable {
    case exact
    /// Case, spaces, `-`, `_` and punctuation folded: `Unit Price` matches `unit_price`.
    case normalized
}

/// How a supplier writes numbers: the decimal separator and the thousands separator, if any.
public struct NumberFormat: Sendable, Equatable {
    public var decimal: UInt8 = UInt8(ascii: ".")
    /// nil: none allowed.
    public var thousands: UInt8?

    public init(decimal: UInt8 = UInt8(ascii: "."), thousands: UInt8? = nil) {
        self.decimal = decimal
        self.thousands = thousands
    }

    /// Plain `1234.5`: the fast path every uniform pipeline takes.
    public var isPlain: Bool { decimal == UInt8(ascii: ".") && thousands == nil }
}

/// The zone of a timestamp that carries none.
public enum ZoneRule: Sendable, Equatable, CustomStringConvertible {
    /// A fixed offset east of UTC, in minutes (`UTC`, `+01:00`).
    case offset(minutes: Int)
    /// A named zone with its daylight-saving rules (`Europe/Berlin`).
    case named(String)

    public var description: String {
        switch self {
        case .named(let name): return name
        case .offset(let minutes):
            if minutes == 0 { return "UTC" }
            let sign = minutes < 0 ? "-" : "+"
            let (h, m) = (abs(minutes) / 60, abs(minutes) % 60)
            return "\(sign)\(h < 10 ? "0" : "")\(h):\(m < 10 ? "0" : "")\(m)"
        }
    }
}

/// What a file whose header drifts from the schema does.
public enum DriftPolicy: String, Sendable, CaseIterable {
    /// Loads, recorded with the file, no event.
    case load
    /// Loads, and a drift event names the supplier, the file and the columns (the default).
    case warn
    /// Rejected whole, with the drift as its reason, until the profile is fixed.
    case quarantine_file
    /// Not loaded, and the run stops with an error.
    case fail
}

/// What happens to header columns the schema does not name.
public enum ExtraColumnPolicy: String, Sendable, CaseIterable {
    /// Stored, as delivered, in the `_extra` column as one JSON object of header name to value.
    case keep
    case drop
}

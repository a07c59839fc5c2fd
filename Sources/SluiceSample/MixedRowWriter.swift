/// Writes sample rows the way one supplier's file is laid out (`FileLayout`), from the same
/// values the uniform style writes.
struct MixedRowWriter {
    let layout: FileLayout
    let seed: UInt64
    let clock: BerlinClock
    var writer: RowWriter
    /// Order ids whose Berlin wall time is ambiguous (see `BerlinClock.Reading`).
    private(set) var ambiguousTimes: [Int] = []

    init(layout: FileLayout, seed: UInt64, clock: BerlinClock) {
        self.layout = layout
        self.seed = seed
        self.clock = clock
        writer = RowWriter(delimiter: layout.delimiter, latin1: layout.latin1)
    }

    mutating func header() {
        if let header = layout.header { writer.line(header) }
    }

    /// `values` in schema order, as `SampleRow.make` gives them.
    mutating func row(_ values: [String]) {
        let id = Int(values[0]) ?? 0
        var fields: [String] = []
        fields.reserveCapacity(layout.fields.count)
        for field in layout.fields {
            switch field {
            case .channel:
                fields.append(SalesChannel.value(seed: seed, orderID: id))
            case .column(let column):
                fields.append(rewrite(values[column], column: column, id: id))
            }
        }
        writer.line(fields)
    }

    private mutating func rewrite(_ value: String, column: Int, id: Int) -> String {
        if layout.accentedNames && column == SampleRow.productName { return LatinNames.accented(value) }
        guard layout.european, !value.isEmpty else { return value }
        switch column {
        case SampleRow.unitPrice: return EuropeanValues.decimal(value)
        case SampleRow.orderDate: return EuropeanValues.date(value)
        case SampleRow.updatedAt:
            guard let reading = clock.reading(value) else { return value }
            if reading.ambiguous { ambiguousTimes.append(id) }
            return reading.text
        default: return value
        }
    }
}

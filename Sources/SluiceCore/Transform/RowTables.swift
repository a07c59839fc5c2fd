/// The lookup tables one file's row loop reads, in buffers of their own.
///
/// Arrays held by the processor cost a retain and a release, or a uniqueness check, every
/// time a row opens them. These are plain data read through pointers; the processor keeps
/// this object only so that they are freed when it is done with the file.
final class RowTables {
    /// Per schema column: its validator (kept alive by the caller) and its field in this
    /// file's header, -1 when the header lacks it.
    let validators: UnsafeMutableBufferPointer<Unmanaged<ColumnValidator>>
    let fieldIndex: UnsafeMutableBufferPointer<Int>
    /// Per schema column, the value validation gave the current row.
    let values: UnsafeMutableBufferPointer<ValidatedValue>
    /// Per output column, how it is filled.
    let fills: UnsafeMutableBufferPointer<Fill>
    /// Every template column's bytes for this file, back to back.
    let constants: UnsafeMutableBufferPointer<UInt8>

    /// How one output column is filled.
    struct Fill {
        /// The schema column it takes, or `template` or `extra`.
        let input: Int
        static let template = -1
        static let extra = -2
        /// A template's bytes in `constants`.
        let constant: Range<Int>
        let trim: Bool
        let caseChange: OutputPlan.CaseChange
    }

    init(validators: [ColumnValidator], fieldIndex: [Int?], fills: [Fill], constants: [UInt8]) {
        self.validators = Self.copy(validators.map { Unmanaged.passUnretained($0) })
        self.fieldIndex = Self.copy(fieldIndex.map { $0 ?? -1 })
        values = Self.copy(Array(repeating: .null, count: validators.count))
        self.fills = Self.copy(fills)
        self.constants = Self.copy(constants)
    }

    deinit {
        validators.deallocate()
        fieldIndex.deallocate()
        values.deallocate()
        fills.deallocate()
        constants.deallocate()
    }

    private static func copy<Element>(_ elements: [Element]) -> UnsafeMutableBufferPointer<Element> {
        let buffer = UnsafeMutableBufferPointer<Element>.allocate(capacity: elements.count)
        _ = buffer.initialize(from: elements)
        return buffer
    }
}

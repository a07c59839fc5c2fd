/// Validation and transforms for one file's rows, for callers outside the engine
/// (fuzzing, benchmarks, dry runs): the same code the engine runs.
public struct RowValidation {
    private var processor: RowProcessor

    /// Maps `header` onto the definition's schema.
    /// - Throws: `ReadError(.malformedHeader)` as the engine would quarantine the file.
    public init(definition: PipelineDefinition, plan: OutputPlan, header: [String], supplier: String, file: String) throws {
        processor = try RowProcessor(schema: definition.schema, plan: plan, header: header,
                                     templateValues: ["supplier": supplier, "file": file, "pipeline": definition.name])
    }

    /// Maps `header` onto the schema as a supplier with `profile` would have it mapped.
    /// - Throws: `ReadError(.malformedHeader)` as the engine would quarantine the file.
    public init(definition: PipelineDefinition, plan: OutputPlan, header: [String], supplier: String, file: String,
                profile: SupplierProfile) throws {
        let mapping = try HeaderMapping(header: header, schema: definition.schema, profile: profile)
        processor = RowProcessor(schema: definition.schema, plan: plan, mapping: mapping, profile: profile,
                                 templateValues: ["supplier": supplier, "file": file, "pipeline": definition.name])
    }

    /// Appends the row to `batch` if it is valid and not filtered; returns the reason it is invalid, if it is.
    public mutating func process(_ row: RawRow, rowNumber: Int, into batch: inout RowBatch) -> (loaded: Bool, invalid: String?) {
        switch processor.process(row, rowNumber: rowNumber, into: &batch) {
        case .loaded: (true, nil)
        case .filtered: (false, nil)
        case .invalid(let reason): (false, reason)
        }
    }
}

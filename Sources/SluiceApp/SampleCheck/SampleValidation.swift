import SluiceCore

/// The validation a run would give the sample's rows under the sniffed profile.
///
/// Validation does not read profiles yet, so the part of the profile it can already be told
/// is told here: the header names through the sniffed mapping (what `aliases` and
/// `header_match` do), the date layout through the date columns' `format`. Numbers,
/// timestamps, null values and trim are validated as the pipeline reads them today.
func sampleValidation(_ definition: PipelineDefinition, _ plan: OutputPlan, header: [String], guess: ProfileGuess,
                      supplier: String, file: String) throws -> RowValidation {
    var definition = definition
    if let layout = guess.profile.dateFormat {
        for index in definition.schema.columns.indices where definition.schema.columns[index].type == .date {
            definition.schema.columns[index].format = layout
        }
    }
    let columns = Dictionary(guess.mapping.map { ($0.position, $0.column) }, uniquingKeysWith: { a, _ in a })
    let mapped = header.enumerated().map { columns[$0.offset] ?? $0.element }
    return try RowValidation(definition: definition, plan: plan, header: mapped, supplier: supplier, file: file)
}

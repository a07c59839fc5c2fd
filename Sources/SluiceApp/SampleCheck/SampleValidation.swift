import SluiceCore

/// The validation a run would give the sample's rows under the sniffed profile: the same
/// header mapping, value formats, null values and `_extra` a run uses.
func sampleValidation(_ definition: PipelineDefinition, _ plan: OutputPlan, header: [String], guess: ProfileGuess,
                      supplier: String, file: String) throws -> RowValidation {
    try RowValidation(definition: definition, plan: plan, header: header, supplier: supplier, file: file, profile: guess.profile)
}

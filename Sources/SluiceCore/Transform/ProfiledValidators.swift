/// The schema's validators for each supplier's profile, built once per run: the suppliers
/// that share the pipeline's default profile share one set.
struct ProfiledValidators: Sendable {
    private let byDefault: [ColumnValidator]
    private let bySupplier: [String: [ColumnValidator]]

    init(_ definition: PipelineDefinition) {
        let columns = definition.schema.columns
        byDefault = columns.map { ColumnValidator($0, profile: definition.source.profile) }
        var bySupplier: [String: [ColumnValidator]] = [:]
        for supplier in definition.source.suppliers where supplier.profile != definition.source.profile {
            bySupplier[supplier.name] = columns.map { ColumnValidator($0, profile: supplier.profile) }
        }
        self.bySupplier = bySupplier
    }

    func callAsFunction(_ supplier: String) -> [ColumnValidator] { bySupplier[supplier] ?? byDefault }
}

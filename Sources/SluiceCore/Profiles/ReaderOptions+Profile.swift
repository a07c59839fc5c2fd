extension ReaderOptions {
    /// These options with a supplier's dialect and encoding; for a file without a header, the
    /// names its fields take (the profile's columns, or the schema's in order).
    public func reading(with profile: SupplierProfile, schema: SchemaDefinition) -> ReaderOptions {
        var options = self
        options.delimiter = profile.delimiter
        options.quote = profile.quote
        options.escape = profile.escape
        options.encoding = profile.encoding
        options.headerNames = profile.header == .absent ? (profile.columns ?? schema.columns.map(\.name)) : nil
        return options
    }
}

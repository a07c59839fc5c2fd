/// Rules for a staging table that already exists.
public enum StagingColumns {
    /// Whether `existing` is `wanted` without `_extra`: a table made before extra columns were
    /// kept, which gains the column (rows loaded before have none) instead of being refused.
    public static func lacksOnlyExtra(_ existing: [String], _ wanted: [String]) -> Bool {
        wanted.contains(OutputPlan.extraColumn) && existing == wanted.filter { $0 != OutputPlan.extraColumn }
    }
}

extension StagingColumns {
    /// Whether `existing` holds the columns `wanted`: in order, or with `_extra` moved to the
    /// end where adding it to an older table put it (rows are always written by column name).
    public static func matches(_ existing: [String], _ wanted: [String]) -> Bool {
        existing == wanted || existing == wanted.filter { $0 != OutputPlan.extraColumn } + [OutputPlan.extraColumn]
    }
}

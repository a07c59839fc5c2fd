import Foundation
import SluiceCore
import SluiceSQLite

/// Removes the records of files that finished more than `age` ago and are no longer in the
/// source: the function behind `sluice prune`. Every supplier directory must list, or nothing
/// is pruned (a directory that is away for a moment would make every file look gone). Holds
/// the store's writer lock while it works.
/// - Throws: `ReadError` when a supplier directory cannot be listed, `StoreBusy`, `StoreError`.
public func prunePipeline(_ definition: PipelineDefinition, olderThan age: Duration, dryRun: Bool,
                          options: RunOptions) async throws -> PruneResult {
    let source = try DirectorySource(definition: definition.source)
    var present: [String: Set<String>] = [:]
    for (index, supplier) in source.suppliers.enumerated() {
        present[supplier] = Set(try source.list(supplier: index).files.map(\.relativePath))
    }
    let lock = try await takeWriterLock(definition, options)
    defer { lock.release() }
    let now = Date().timeIntervalSince1970
    return try openWarehouse(definition).prune(finishedBefore: now - age.inSeconds, isPresent: { supplier, path in
        // A supplier no longer declared has no directory to hold the file: its records may go.
        present[supplier]?.contains(path) ?? false
    }, dryRun: dryRun, at: now)
}

import Foundation
import SluiceCore
import SluiceSQLite

/// Removes the records of files that finished more than `age` ago and are no longer in the
/// source: the function behind `sluice prune`. Every supplier directory must list, or nothing
/// is pruned (a directory that is away for a moment would make every file look gone), and a
/// supplier with no directory at all keeps its records. Holds the store's writer lock while it
/// works, and lists the source once it holds it.
/// - Throws: `ReadError` when a supplier directory cannot be listed, `StoreBusy`, `StoreError`.
public func prunePipeline(_ definition: PipelineDefinition, olderThan age: Duration, dryRun: Bool,
                          options: RunOptions) async throws -> PruneResult {
    let lock = try await takeWriterLock(definition, options)
    defer { lock.release() }
    let source = try DirectorySource(definition: definition.source)
    var present: [String: Set<String>] = [:]
    for (index, supplier) in source.suppliers.enumerated() {
        present[supplier] = Set(try source.list(supplier: index).files.map(\.relativePath))
    }
    let now = Date().timeIntervalSince1970
    return try openWarehouse(definition).prune(finishedBefore: now - age.inSeconds, isPresent: { supplier, path in
        present[supplier].map { $0.contains(path) } ?? true
    }, dryRun: dryRun, at: now)
}

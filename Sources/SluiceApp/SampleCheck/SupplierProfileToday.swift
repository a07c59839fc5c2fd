import Foundation
import SluiceCore

/// The profile a supplier's files are read with now: what a sniffed profile is compared with.
public func currentProfile(of supplier: String, in definition: PipelineDefinition) -> SupplierProfile {
    definition.profile(for: supplier)
}

/// Whether the pipeline has a supplier of this name: declared, or a folder under the root.
public func hasSupplier(_ name: String, in definition: PipelineDefinition) -> Bool {
    if definition.source.suppliers.contains(where: { $0.name == name }) { return true }
    guard let root = definition.source.root, !name.contains("/"), name != ".", name != ".." else { return false }
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: root.appendingPathComponent(name).path, isDirectory: &isDirectory)
        && isDirectory.boolValue
}

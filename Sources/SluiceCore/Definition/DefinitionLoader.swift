import Foundation
import Yams

/// Reads a pipeline file, applies `--set` overrides, and checks every key.
public enum DefinitionLoader {
    /// Loads the pipeline at `url`, with overrides such as `limits.per_supplier_concurrency=5`.
    /// - Throws: `DefinitionError` naming the key path and line of the first problem.
    public static func load(from url: URL, overrides: [String] = []) throws -> PipelineDefinition {
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw DefinitionError(keyPath: "", line: nil, "cannot read pipeline file \(url.path): \(error.localizedDescription)")
        }
        return try parse(yaml: text, baseDirectory: url.deletingLastPathComponent(), fileURL: url, overrides: overrides)
    }

    /// Parses pipeline YAML; relative paths resolve against `baseDirectory`.
    /// - Throws: `DefinitionError`.
    public static func parse(
        yaml: String, baseDirectory: URL, fileURL: URL? = nil, overrides: [String] = []
    ) throws -> PipelineDefinition {
        let composed: Node?
        do {
            composed = try Yams.compose(yaml: yaml)
        } catch {
            throw DefinitionError(keyPath: "", line: nil, "not valid YAML: \(error)")
        }
        var root = composed ?? Node([(Node, Node)]())
        for override in overrides {
            root = try Override(parsing: override).apply(to: root)
        }
        let reader = DefinitionReader(baseDirectory: baseDirectory)
        var definition = try reader.pipeline(ConfigNode(node: root, path: ""))
        definition.fileURL = fileURL
        return definition
    }
}

/// What the mixed style wrote differently, saved as `mixed.json` beside `manifest.json`: each
/// supplier's style and, per file, how its header drifts from the schema.
public struct MixedManifest: Codable, Sendable, Equatable {
    public var seed: UInt64
    public var suppliers: [Supplier]

    public struct Supplier: Codable, Sendable, Equatable {
        public var name: String
        public var style: SupplierStyle
        /// The profile of `Pipelines/supplier-mixed.yaml` that reads it; absent where none does.
        public var profile: String?
        /// For `latin1`: product names differ from the uniform style's in their first word only,
        /// by this map of uniform word to written word (`LatinNames.words`).
        public var productNameWords: [String: String]?
        public var files: [File]

        enum CodingKeys: String, CodingKey {
            case name, style, profile, files
            case productNameWords = "product_name_words"
        }
    }

    public struct File: Codable, Sendable, Equatable {
        public var name: String
        /// The drift a loader should report for this file: what its header lacks, adds or
        /// names differently from the schema, beyond what the supplier's profile accounts for.
        public var drift: Drift
        /// For `eu-semicolon`: order ids whose `updated_at` falls in the hour repeated when
        /// daylight saving ends, so that the Berlin wall time written fits two instants.
        public var ambiguousLocalTimes: [Int]?

        enum CodingKeys: String, CodingKey {
            case name, drift
            case ambiguousLocalTimes = "ambiguous_local_times"
        }

        public struct Drift: Codable, Sendable, Equatable {
            /// Schema columns the header lacks.
            public var missing: [String] = []
            /// Header columns the schema lacks.
            public var extra: [String] = []
            /// Schema column to the header name written for it.
            public var renamed: [String: String] = [:]

            public init(missing: [String] = [], extra: [String] = [], renamed: [String: String] = [:]) {
                self.missing = missing
                self.extra = extra
                self.renamed = renamed
            }
        }
    }
}

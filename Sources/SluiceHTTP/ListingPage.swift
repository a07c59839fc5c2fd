import Foundation

/// One page of `GET <url>/files?after=<cursor>&limit=<n>`:
/// `{"files": [{"name", "size", "etag", "modified"}], "next": <cursor or null>}`.
struct ListingPage: Decodable, Sendable {
    struct Entry: Decodable, Sendable, Equatable {
        var name: String
        var size: Int64
        /// A strong ETag (`"..."`) identifies the version; a weak one (`W/"..."`) or none does not.
        var etag: String?
        /// Seconds since 1970; given as a number or as an RFC 3339 text.
        var modified: Double

        enum CodingKeys: String, CodingKey { case name, size, etag, modified }

        init(name: String, size: Int64, etag: String?, modified: Double) {
            self.name = name
            self.size = size
            self.etag = etag
            self.modified = modified
        }

        init(from decoder: any Decoder) throws {
            let fields = try decoder.container(keyedBy: CodingKeys.self)
            name = try fields.decode(String.self, forKey: .name)
            size = try fields.decode(Int64.self, forKey: .size)
            etag = try fields.decodeIfPresent(String.self, forKey: .etag)
            if let seconds = try? fields.decode(Double.self, forKey: .modified) {
                modified = seconds
            } else if let text = try fields.decodeIfPresent(String.self, forKey: .modified) {
                guard let date = Self.rfc3339(text) else {
                    throw DecodingError.dataCorruptedError(forKey: .modified, in: fields, debugDescription: "not an RFC 3339 time: \(text)")
                }
                modified = date.timeIntervalSince1970
            } else {
                modified = 0
            }
        }

        var strongETag: String? {
            guard let etag, etag.hasPrefix("\""), etag.hasSuffix("\""), etag.count >= 2 else { return nil }
            return etag
        }

        private static let whole = Date.ISO8601FormatStyle()
        private static let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

        private static func rfc3339(_ text: String) -> Date? {
            (try? fractional.parse(text)) ?? (try? whole.parse(text))
        }
    }

    var files: [Entry]
    var next: String?
}

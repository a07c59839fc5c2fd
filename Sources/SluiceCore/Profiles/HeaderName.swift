/// Header names as `header_match: normalized` compares them.
public enum HeaderName {
    /// Lower case with spaces, `-`, `_` and punctuation taken out: `Unit Price`, `unit-price`
    /// and `UNIT_PRICE` are all `unitprice`.
    public static func normalized(_ name: String) -> String {
        String(String.UnicodeScalarView(name.lowercased().unicodeScalars.filter {
            $0.properties.isAlphabetic || $0.properties.numericType != nil
        }))
    }
}

/// How near a header name is to a column name: the ladder exact, normalized, similar.
enum NameMatch {
    /// The match of `header` to `column`, with a cost to order similar matches by; nil when unrelated.
    static func match(_ header: String, _ column: String) -> (kind: HeaderMatchKind, cost: Int)? {
        if header == column { return (.exact, 0) }
        let (h, c) = (HeaderName.normalized(header), HeaderName.normalized(column))
        guard !h.isEmpty, !c.isEmpty else { return nil }
        if h == c { return (.normalized, 0) }
        let distance = editDistance(h, c)
        if distance <= max(1, c.count / 4) { return (.similar, distance) }
        // `Qty` for quantity, `ProdName` for product_name: the same first letter, then letters in order.
        if h.count >= 2, h.count < c.count, h.first == c.first, isSubsequence(h, of: c) { return (.similar, 10 + c.count - h.count) }
        // `Order Quantity` for quantity, `ProductSKU` for sku.
        if c.count >= 3, h.count > c.count, h.contains(c) { return (.similar, 20 + h.count - c.count) }
        return nil
    }

    private static func isSubsequence(_ short: String, of long: String) -> Bool {
        var rest = Substring(long)
        for character in short {
            guard let found = rest.firstIndex(of: character) else { return false }
            rest = rest[rest.index(after: found)...]
        }
        return true
    }
}

/// One generated order: its values as the uniform style writes them, in schema order.
///
/// Both styles take every value from here in the same order from the same random stream, so a
/// seed gives the same rows whichever way a supplier then writes them.
enum SampleRow {
    static let columns = ["order_id", "sku", "product_name", "category", "quantity", "unit_price",
                          "currency", "order_date", "updated_at", "in_stock", "notes"]
    static let productName = 2, unitPrice = 5, orderDate = 7, updatedAt = 8, notes = 10
    static let categories = ["tools", "garden", "kitchen", "toys", "office", "sports"]
    static let currencies = ["EUR", "USD", "GBP"]
    static let words = ["Widget", "Gadget", "Bracket", "Hose", "Lamp", "Mug", "Chair", "Ball", "Stapler", "Rake",
                        "Kettle", "Drill", "Clamp", "Bottle", "Cable", "Shelf"]
    static let adjectives = ["large", "small", "red", "blue", "steel", "oak", "compact", "deluxe"]

    /// The defects a bad row may carry; each makes exactly one rule fail.
    enum Defect: CaseIterable { case negativeQuantity, malformedPrice, badDate, missingSKU }

    /// The row's fields in schema order (`columns`).
    static func make(id: Int, defect: Defect?, random: inout SampleRandom) -> [String] {
        var fields = Array(repeating: "", count: columns.count)
        let letters = (0..<3).map { _ in Character(UnicodeScalar(UInt8(65 + random.below(26)))) }
        fields[0] = String(id)
        fields[1] = defect == .missingSKU ? "" : "\(String(letters))-\(100_000 + random.below(900_000))"
        var name = "\(words[random.below(words.count)]) \(adjectives[random.below(adjectives.count)])"
        if random.chance(0.15) { name += ", pack of \(2 + random.below(10))" }
        if random.chance(0.05) { name += " \"special\"" }
        fields[2] = name
        fields[3] = categories[random.below(categories.count)]
        fields[4] = defect == .negativeQuantity ? "-\(1 + random.below(50))" : String(random.below(500))
        let cents = random.below(100_000)
        fields[5] = defect == .malformedPrice ? "\(cents / 100).\(cents % 100).5" : "\(cents / 100).\(pad(cents % 100, 2))"
        fields[6] = currencies[random.below(3)]
        let month = 1 + random.below(12), day = 1 + random.below(28)
        fields[7] = defect == .badDate ? "2026-\(pad(month, 2))-3\(2 + random.below(7))" : "2026-\(pad(month, 2))-\(pad(day, 2))"
        fields[8] = "2026-\(pad(month, 2))-\(pad(day, 2))T\(pad(random.below(24), 2)):\(pad(random.below(60), 2)):\(pad(random.below(60), 2))Z"
        fields[9] = random.chance(0.8) ? "true" : "false"
        if random.chance(0.1) { fields[10] = random.chance(0.2) ? "call before\ndelivery" : "gate code \(random.below(10_000))" }
        return fields
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}

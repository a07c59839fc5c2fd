import SluiceCore

/// Writes one sample row's fields as CSV bytes, quoting as RFC 4180 requires.
struct RowWriter {
    static let columns = ["order_id", "sku", "product_name", "category", "quantity", "unit_price",
                          "currency", "order_date", "updated_at", "in_stock", "notes"]
    static let categories = ["tools", "garden", "kitchen", "toys", "office", "sports"]
    static let currencies = ["EUR", "USD", "GBP"]
    static let words = ["Widget", "Gadget", "Bracket", "Hose", "Lamp", "Mug", "Chair", "Ball", "Stapler", "Rake",
                        "Kettle", "Drill", "Clamp", "Bottle", "Cable", "Shelf"]
    static let adjectives = ["large", "small", "red", "blue", "steel", "oak", "compact", "deluxe"]

    /// The defects a bad row may carry; each makes exactly one rule fail.
    enum Defect: CaseIterable { case negativeQuantity, malformedPrice, badDate, missingSKU }

    var out: [UInt8] = []

    mutating func header(order: [Int]) {
        append(order.map { Self.columns[$0] }.joined(separator: ","))
        out.append(10)
    }

    mutating func row(id: Int, order: [Int], defect: Defect?, random: inout SampleRandom) {
        var fields = Array(repeating: "", count: Self.columns.count)
        let letters = (0..<3).map { _ in Character(UnicodeScalar(UInt8(65 + random.below(26)))) }
        fields[0] = String(id)
        fields[1] = defect == .missingSKU ? "" : "\(String(letters))-\(100_000 + random.below(900_000))"
        var name = "\(Self.words[random.below(Self.words.count)]) \(Self.adjectives[random.below(Self.adjectives.count)])"
        if random.chance(0.15) { name += ", pack of \(2 + random.below(10))" }
        if random.chance(0.05) { name += " \"special\"" }
        fields[2] = name
        fields[3] = Self.categories[random.below(Self.categories.count)]
        fields[4] = defect == .negativeQuantity ? "-\(1 + random.below(50))" : String(random.below(500))
        let cents = random.below(100_000)
        fields[5] = defect == .malformedPrice ? "\(cents / 100).\(cents % 100).5" : "\(cents / 100).\(pad(cents % 100, 2))"
        fields[6] = Self.currencies[random.below(3)]
        let month = 1 + random.below(12), day = 1 + random.below(28)
        fields[7] = defect == .badDate ? "2026-\(pad(month, 2))-3\(2 + random.below(7))" : "2026-\(pad(month, 2))-\(pad(day, 2))"
        fields[8] = "2026-\(pad(month, 2))-\(pad(day, 2))T\(pad(random.below(24), 2)):\(pad(random.below(60), 2)):\(pad(random.below(60), 2))Z"
        fields[9] = random.chance(0.8) ? "true" : "false"
        if random.chance(0.1) { fields[10] = random.chance(0.2) ? "call before\ndelivery" : "gate code \(random.below(10_000))" }
        for (position, column) in order.enumerated() {
            if position > 0 { out.append(44) }
            field(fields[column])
        }
        out.append(10)
    }

    private mutating func field(_ text: String) {
        guard text.utf8.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) else {
            append(text)
            return
        }
        out.append(34)
        for byte in text.utf8 {
            if byte == 34 { out.append(34) }
            out.append(byte)
        }
        out.append(34)
    }

    private mutating func append(_ text: String) { out.append(contentsOf: text.utf8) }

    private func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}

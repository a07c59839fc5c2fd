/// A profile's `null_values` and `trim`, applied to a field's bytes before it is validated.
struct FieldRules {
    /// Whether there is anything to do: the uniform path skips this per field.
    let applies: Bool
    private let trim: Bool
    /// Texts besides the empty one that mean no value.
    private let nulls: [[UInt8]]

    init(_ profile: SupplierProfile) {
        trim = profile.trim
        nulls = profile.nullValues.filter { !$0.isEmpty }.map { Array($0.utf8) }
        applies = trim || !nulls.isEmpty
    }

    /// The field's range after trimming, or an empty range when it is a null text.
    func apply(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Range<Int> {
        var (start, end) = (range.lowerBound, range.upperBound)
        if trim {
            while start < end, bytes[start] == 32 || bytes[start] == 9 { start += 1 }
            while end > start, bytes[end - 1] == 32 || bytes[end - 1] == 9 { end -= 1 }
        }
        let field = UnsafeBufferPointer(rebasing: bytes[start..<end])
        if nulls.contains(where: { $0.count == field.count && $0.elementsEqual(field) }) { return start..<start }
        return start..<end
    }
}

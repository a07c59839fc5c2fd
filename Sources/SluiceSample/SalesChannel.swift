import SluiceCore

/// The `channel` value the `extra-column` supplier writes for an order.
enum SalesChannel {
    static let values = ["web", "phone", "store"]

    /// From the seed and the order id alone: drawing it from the row's random stream would
    /// change every row after it, and the rows must match the uniform style's.
    static func value(seed: UInt64, orderID: Int) -> String {
        var random = SplitMix64(seed: seed ^ (UInt64(orderID) &* 0xD1B5_4A32_D192_ED03))
        return values[Int(random.next() % UInt64(values.count))]
    }
}

/// How suppliers write their files.
public enum SampleStyle: String, Sendable, CaseIterable {
    /// Every supplier in the one reference format.
    case uniform
    /// The same rows, each supplier writing them its own way (`SupplierStyle`).
    case mixed
}

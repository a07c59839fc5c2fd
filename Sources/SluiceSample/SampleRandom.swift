import SluiceCore

/// The generator's randomness: SplitMix64, so the same seed always writes the same files.
typealias SampleRandom = SplitMix64

extension SplitMix64 {
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    mutating func chance(_ probability: Double) -> Bool { unit() < probability }
}

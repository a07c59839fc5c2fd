import Foundation
@testable import SluiceSample
import Testing

/// The `eu-semicolon` supplier's numbers and dates.
@Suite struct EuropeanValuesTests {
    @Test(arguments: [
        ("0.05", "0,05"), ("999.99", "999,99"), ("1000.00", "1.000,00"), ("1234.50", "1.234,50"),
        ("1234567.05", "1.234.567,05"), ("-1234.50", "-1.234,50"),
        // A malformed price stays malformed the same way.
        ("12.3.5", "12,3,5"), ("1234.5.5", "1.234,5,5"),
    ])
    func decimalCommaWithThousandsDots(uniform: String, european: String) {
        #expect(EuropeanValues.decimal(uniform) == european)
        #expect(european.replacingOccurrences(of: ".", with: "").replacingOccurrences(of: ",", with: ".") == uniform)
    }

    @Test func datesDayFirst() {
        #expect(EuropeanValues.date("2026-03-09") == "09.03.2026")
        #expect(EuropeanValues.date("2026-05-33") == "33.05.2026")
    }
}

import SluiceCore
import Testing

@Suite struct QuarantineReasonTests {
    @Test(arguments: [
        ("column order_date: '2026-04-34' is not a date (YYYY-MM-DD)", "column order_date: '…' is not a date (YYYY-MM-DD)"),
        ("column unit_price: '1.234' is not a decimal(12,2)", "column unit_price: '…' is not a decimal(12,2)"),
        ("column sku: '' is required but empty", "column sku: '…' is required but empty"),
        ("acme/in/a.csv.gz: truncated: gzip data ends early at compressed byte 307 (inflated byte 1601)",
         "truncated: gzip data ends early at compressed byte N (inflated byte N)"),
        ("row has 3 fields, the header 11", "row has 3 fields, the header 11"),
    ])
    func reasonsOfOneKindCountTogether(reason: String, kind: String) {
        #expect(QuarantineReason.kind(of: reason) == kind)
    }
}

import Telemetry
import Testing

@testable import ChunkStore

@Suite struct StoredAttributesTests {
    /// The context code is part of the file format: each context's index in `ReadingContext.allCases` + 1, 0 for
    /// none. Every context, flag set and decimal count comes back out of the word it was packed into.
    @Test func contextsKeepTheirFormatCodesAndEveryFieldRoundTrips() {
        for (index, context) in ReadingContext.allCases.enumerated() {
            #expect(StoredAttributes.code(of: context) == UInt32(index + 1), "\(context)")
            for flags: UInt8 in [0, StoredAttributes.conflictFlag, StoredAttributes.lateFlag | StoredAttributes.futureFlag] {
                for decimals: Int16 in [-3, 0, 1, 6] {
                    let attributes = StoredAttributes(flags: flags, context: context, decimals: decimals)
                    #expect((attributes.rawValue >> 8) & 0xFF == UInt32(index + 1))
                    #expect(attributes.context == context && attributes.flags == flags && attributes.decimals == decimals)
                }
            }
        }
        let none = StoredAttributes(flags: 0, context: nil, decimals: 2)
        #expect(none.context == nil && (none.rawValue >> 8) & 0xFF == 0 && none.decimals == 2)
        #expect(StoredAttributes(rawValue: 9 << 8).context == nil)
    }
}

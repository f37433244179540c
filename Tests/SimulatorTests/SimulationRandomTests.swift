@testable import Simulator
import Testing

/// Known answers from the reference algorithms (Vigna's C code, reproduced independently in Python).
@Suite struct SimulationRandomTests {
    @Test func splitMix64KnownAnswers() {
        var generator = SplitMix64(seed: 1_234_567)
        let values = (0..<5).map { _ in generator.next() }
        #expect(values == [6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423,
                           4_593_380_528_125_082_431, 16_408_922_859_458_223_821])
    }

    @Test func xoshiro256StarStarKnownAnswers() {
        var generator = SimulationRandom(state: (1, 2, 3, 4))
        let values = (0..<6).map { _ in generator.next() }
        #expect(values == [11520, 0, 1_509_978_240, 1_215_971_899_390_074_240, 1_216_172_134_540_287_360,
                           607_988_272_756_665_600])
    }

    @Test func streamsAreIndependentAndRepeatable() {
        var a = SimulationRandom(seed: 42, stream: 4, 1, 1)
        var b = SimulationRandom(seed: 42, stream: 4, 1, 1)
        var c = SimulationRandom(seed: 42, stream: 4, 1, 2)
        let first = (0..<8).map { _ in a.next() }
        #expect(first == (0..<8).map { _ in b.next() })
        #expect(first != (0..<8).map { _ in c.next() })
    }

    @Test func drawsStayInRange() {
        var random = SimulationRandom(seed: 1, stream: 9)
        for _ in 0..<10_000 {
            #expect((0..<1).contains(random.uniform()))
            #expect((3...7).contains(random.integer(3...7)))
            #expect(abs(random.normal()) < 3.5)
            #expect(random.exponential(mean: 10) >= 0)
        }
        let uuid = random.uuid()
        #expect(uuid.count == 36)
        #expect(Array(uuid)[14] == "4")
        #expect(random.hex(12).allSatisfy { $0.isHexDigit && !$0.isLowercase })
    }
}

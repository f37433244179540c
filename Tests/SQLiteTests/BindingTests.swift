import SQLite
import Testing

/// Values written through binding and read back from a real database file.
@Suite struct BindingTests {
    let scratch: ScratchDirectory
    let db: Database

    init() throws {
        scratch = try ScratchDirectory()
        db = try Database(path: scratch.path("binding.db"))
        // No declared type: the column keeps each value in the storage class it was bound with.
        try db.execute("CREATE TABLE v(id INTEGER PRIMARY KEY, x)")
    }

    /// Inserts `value` as parameter 1 and returns what comes back, plus SQLite's `typeof`.
    private func roundTrip(_ value: SQLiteValue) throws -> (SQLiteValue, String) {
        let insert = try db.prepare("INSERT INTO v(x) VALUES (?)")
        try insert.bind(value, at: 1)
        #expect(try insert.step() == false)
        let select = try db.prepare("SELECT x, typeof(x) FROM v WHERE id = ?")
        try select.bind(db.lastInsertRowID, at: 1)
        try #require(try select.step())
        return (select.value(at: 0), select.text(at: 1))
    }

    @Test(arguments: [
        (SQLiteValue.integer(0), "integer"),
        (.integer(Int64.min), "integer"),
        (.integer(Int64.max), "integer"),
        (.integer(-1), "integer"),
        (.text(""), "text"),
        (.text("Zürich Ladepark ⚡ 充電 🚗 ⚡️ e\u{301}"), "text"),
        (.text("nul\u{0}inside"), "text"),
        (.blob([]), "blob"),
        (.blob([0, 0, 0]), "blob"),
        (.blob([0x00, 0xFF, 0x00, 0x7F, 0x80, 0x00]), "blob"),
        (.blob(Array(repeating: 0, count: 70_000)), "blob"),
        (.null, "null"),
    ])
    func valueRoundTrip(value: SQLiteValue, type: String) throws {
        let (back, storedType) = try roundTrip(value)
        #expect(back == value)
        #expect(storedType == type)
    }

    @Test(arguments: [
        0.0, -0.0, 1.0, -1.5, .pi, 0.1 + 0.2, 1e-300, -1e300,
        .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude,
        .infinity, -.infinity, Double(Int64.max), Double(bitPattern: 0x3FF0_0000_0000_0001),
    ])
    func doubleBitPatternRoundTrip(value: Double) throws {
        let (back, storedType) = try roundTrip(.real(value))
        guard case .real(let stored) = back else {
            Issue.record("\(value) came back as \(back)")
            return
        }
        #expect(stored.bitPattern == value.bitPattern, "\(value) came back as \(stored)")
        #expect(storedType == "real")
    }

    @Test func nanIsStoredAsNull() throws {
        // SQLite's documented behaviour, kept visible here because a NaN reading silently becomes NULL.
        let (back, storedType) = try roundTrip(.real(.nan))
        #expect(back == .null)
        #expect(storedType == "null")
    }

    @Test func typedBindingAndGetters() throws {
        try db.execute("CREATE TABLE typed(a, b, c, d, e, f, g, h)")
        let insert = try db.prepare("INSERT INTO typed VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        try insert.bind(Int64.min, at: 1)
        try insert.bind(Int.max, at: 2)
        try insert.bind(-273.15, at: 3)
        try insert.bind("Größe ≥ 22 kW", at: 4)
        try insert.bind([0x00, 0x01, 0x00] as [UInt8], at: 5)
        try insert.bind(true, at: 6)
        try insert.bind(false, at: 7)
        try insert.bind(nil as String?, at: 8)
        try insert.step()

        let select = try db.prepare("SELECT * FROM typed")
        try #require(try select.step())
        #expect(select.int64(at: 0) == Int64.min)
        #expect(select.int(at: 1) == Int.max)
        #expect(select.double(at: 2) == -273.15)
        #expect(select.text(at: 3) == "Größe ≥ 22 kW")
        #expect(select.blob(at: 4) == [0x00, 0x01, 0x00])
        #expect(select.bool(at: 5) == true)
        #expect(select.bool(at: 6) == false)
        #expect(select.isNull(at: 7))
        #expect(!select.isNull(at: 6))
        // SQLite's conversions for NULL.
        #expect(select.int64(at: 7) == 0)
        #expect(select.text(at: 7) == "")
        #expect(select.blob(at: 7) == [])
        #expect(select.value(at: 5) == .integer(1))
        #expect(try select.step() == false)
    }

    @Test func namedBinding() throws {
        let insert = try db.prepare("INSERT INTO v(id, x) VALUES (:id, @kwh)")
        #expect(insert.parameterCount == 2)
        #expect(try insert.parameterIndex(named: ":id") == 1)
        #expect(try insert.parameterIndex(named: "@kwh") == 2)
        try insert.bind(7, named: "id") // ':' is added when no prefix is given
        try insert.bind(11.25, named: "@kwh")
        try insert.step()
        #expect(try db.scalar("SELECT x FROM v WHERE id = 7") == .real(11.25))

        let error = #expect(throws: SQLiteError.self) { try insert.bind(1, named: ":missing") }
        #expect(error?.resultCode == .range)
        #expect(error?.message == "no parameter named :missing")
        #expect(error?.sql == "INSERT INTO v(id, x) VALUES (:id, @kwh)")
    }

    @Test func bindingAllValuesChecksTheCount() throws {
        let insert = try db.prepare("INSERT INTO v(id, x) VALUES (?, ?)")
        let error = #expect(throws: SQLiteError.self) { try insert.bind([1]) }
        #expect(error?.resultCode == .range)
        #expect(error?.message == "1 values for 2 parameters")

        try insert.bind([1, "one"])
        try insert.step()
        #expect(try db.scalar("SELECT x FROM v WHERE id = 1") == .text("one"))
    }

    @Test func outOfRangeIndexIsAnError() throws {
        let insert = try db.prepare("INSERT INTO v(x) VALUES (?)")
        let error = #expect(throws: SQLiteError.self) { try insert.bind(1, at: 2) }
        #expect(error?.resultCode == .range)
        #expect(error?.operation == "binding parameter 2 of")
    }

    @Test func resetKeepsBindingsAndClearBindingsDropsThem() throws {
        let insert = try db.prepare("INSERT INTO v(x) VALUES (?)")
        try insert.bind("kept", at: 1)
        try insert.step()
        insert.reset()
        try insert.step()
        insert.reset()
        insert.clearBindings()
        try insert.step()
        let rows = try db.prepare("SELECT x FROM v ORDER BY id")
        var seen: [SQLiteValue] = []
        while try rows.step() {
            seen.append(rows.value(at: 0))
        }
        #expect(seen == ["kept", "kept", .null])
    }

    @Test func bindingWhileRunningIsRefusedUntilReset() throws {
        try db.execute("INSERT INTO v(x) VALUES (1), (2)")
        let select = try db.prepare("SELECT x FROM v WHERE id > ?")
        try select.bind(0, at: 1)
        try #require(try select.step())
        let error = #expect(throws: SQLiteError.self) { try select.bind(1, at: 1) }
        #expect(error?.resultCode == .misuse)
        select.reset()
        try select.bind(1, at: 1)
        try #require(try select.step())
        #expect(select.row == [2])
    }

    @Test func runRebindsAndFinishesEachTime() throws {
        let insert = try db.prepare("INSERT INTO v(x) VALUES (?)")
        for reading in [1.5, 2.5, 3.5] {
            try insert.run([.real(reading)])
        }
        #expect(try db.scalar("SELECT sum(x) FROM v") == .real(7.5))
        // A finished statement holds no lock: another connection can write at once.
        let other = try Database(path: scratch.path("binding.db"), configuration: .init(busyTimeout: .zero))
        try other.execute("INSERT INTO v(x) VALUES (0)")
        #expect(try db.scalar("SELECT count(*) FROM v") == .integer(4))
    }

    @Test func columnsHaveNames() throws {
        let select = try db.prepare("SELECT id, x AS reading, 1 + 1 FROM v")
        #expect(select.columnCount == 3)
        #expect(select.columnNames == ["id", "reading", "1 + 1"])
        #expect(select.columnName(at: 1) == "reading")
    }

    @Test func valueLiteralsAndDescriptions() {
        let values: [SQLiteValue] = [42, 2.5, "it's", true, .blob([0x00, 0xAB]), .null]
        #expect(values == [.integer(42), .real(2.5), .text("it's"), .integer(1), .blob([0, 0xAB]), .null])
        #expect(values.map(\.description) == ["42", "2.5", "'it''s'", "1", "x'00AB'", "NULL"])
    }
}

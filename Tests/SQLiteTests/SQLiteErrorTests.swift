import SQLite
import Testing

@Suite struct SQLiteErrorTests {
    let scratch: ScratchDirectory
    let db: Database

    init() throws {
        scratch = try ScratchDirectory()
        db = try Database(path: scratch.path("errors.db"))
        try db.execute("CREATE TABLE readings(id INTEGER PRIMARY KEY, charger TEXT UNIQUE, kwh REAL NOT NULL)")
    }

    @Test func notNullViolationFromAPreparedStatement() throws {
        let insert = try db.prepare("INSERT INTO readings(kwh) VALUES (?)")
        try insert.bind(nil as Double?, at: 1)
        let error = try #require(throws: SQLiteError.self) { try insert.step() }
        #expect(error.resultCode == .constraint)
        #expect(error.resultCode.rawValue == 19)
        #expect(error.extendedResultCode == .constraintNotNull)
        #expect(error.extendedResultCode.rawValue == 1299)
        #expect(error.message == "NOT NULL constraint failed: readings.kwh")
        #expect(error.operation == "executing")
        #expect(error.sql == "INSERT INTO readings(kwh) VALUES (?)")
        #expect(error.description == """
            SQLite error 19 (SQLITE_CONSTRAINT_NOTNULL): NOT NULL constraint failed: readings.kwh \
            — while executing `INSERT INTO readings(kwh) VALUES (?)`
            """)
    }

    @Test func uniqueViolationFromAScript() throws {
        let error = try #require(throws: SQLiteError.self) {
            try db.execute("""
                INSERT INTO readings(charger, kwh) VALUES ('CP-1', 1.0);
                INSERT INTO readings(charger, kwh) VALUES ('CP-1', 2.0);
                """)
        }
        #expect(error.extendedResultCode == .constraintUnique)
        #expect(error.message == "UNIQUE constraint failed: readings.charger")
        // Only the failing statement, not the whole script.
        #expect(error.description.hasSuffix("while executing `INSERT INTO readings(charger, kwh) VALUES ('CP-1', 2.0);`"))
    }

    @Test func syntaxErrorNamesThePreparation() throws {
        let error = try #require(throws: SQLiteError.self) { try db.prepare("SELEC kwh FROM readings") }
        #expect(error.resultCode == .error)
        #expect(error.message == #"near "SELEC": syntax error"#)
        #expect(error.operation == "preparing")
        #expect(error.description == #"SQLite error 1 (SQLITE_ERROR): near "SELEC": syntax error — while preparing `SELEC kwh FROM readings`"#)
    }

    @Test func boundValuesNeverAppearInTheDescription() throws {
        let insert = try db.prepare("INSERT INTO readings(charger, kwh) VALUES (?, ?)")
        try insert.run(["secret-charger", 1.0])
        let error = try #require(throws: SQLiteError.self) { try insert.run(["secret-charger", 2.0]) }
        #expect(!error.description.contains("secret"))
    }

    @Test(arguments: [
        (ResultCode.busy, "SQLITE_BUSY", Int32(5)),
        (.constraint, "SQLITE_CONSTRAINT", 19),
        (.readOnly, "SQLITE_READONLY", 8),
        (.misuse, "SQLITE_MISUSE", 21),
        (.constraintNotNull, "SQLITE_CONSTRAINT_NOTNULL", 1299),
        (.constraintUnique, "SQLITE_CONSTRAINT_UNIQUE", 2067),
        (.constraintPrimaryKey, "SQLITE_CONSTRAINT_PRIMARYKEY", 1555),
        (.constraintForeignKey, "SQLITE_CONSTRAINT_FOREIGNKEY", 787),
        (.constraintCheck, "SQLITE_CONSTRAINT_CHECK", 275),
        (.busySnapshot, "SQLITE_BUSY_SNAPSHOT", 517),
    ])
    func resultCodesHaveTheirCNames(code: ResultCode, name: String, value: Int32) {
        #expect(code.name == name)
        #expect(code.rawValue == value)
        #expect(code.primary.rawValue == value & 0xFF)
    }

    @Test func unknownCodesAreNamedAsSuch() {
        #expect(ResultCode(rawValue: 0x7FFF).name == "SQLITE_UNKNOWN(32767)")
        #expect(ResultCode(rawValue: 1299).description == "1299 (SQLITE_CONSTRAINT_NOTNULL)")
    }
}

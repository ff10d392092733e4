import Corpus
import Testing

@Suite struct SQLiteRowTests {
    /// A private in-memory database with one row of every storage class and a NULL.
    func database() throws -> SQLiteDatabase {
        let db = try SQLiteDatabase(path: ":memory:")
        try db.execute("""
            CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n INTEGER, whole REAL, flag INTEGER);
            INSERT INTO t VALUES (42, 2.5, 'hello', x'0102ff', NULL, 3.0, 1);
            """)
        return db
    }

    /// The error `body` throws, which must be an ``SQLiteError``.
    func decodingError(_ body: () throws -> Void) throws -> SQLiteError {
        try #require(throws: SQLiteError.self) { try body() }
    }

    @Test func readsColumnsByNameWhateverTheirOrder() throws {
        let db = try database()
        let values = try db.fetchOne("SELECT flag, b, s, r, i FROM t") { row in
            (try row.int("i"), try row.double("r"), try row.text("s"), try row.blob("b"), try row.bool("flag"))
        }
        let (integer, real, text, blob, flag) = try #require(values)
        #expect(integer == 42 && real == 2.5 && text == "hello" && blob == [1, 2, 255] && flag)
        #expect(try db.fetchOne("SELECT s FROM t") { try $0.text("S") } == "hello")  // names compare like SQL's
        #expect(try db.fetchOne("SELECT s FROM t WHERE i = 0") { try $0.text("s") } == nil)
        #expect(try db.fetchAll("SELECT i FROM t UNION ALL SELECT 7") { try $0.int("i") } == [42, 7])
    }

    @Test func anAliasNamesTheColumn() throws {
        let db = try database()
        #expect(try db.fetchOne("SELECT count(*) AS rows, i * 2 AS twice FROM t") { [try $0.int("rows"), try $0.int("twice")] } == [1, 84])
        #expect(try db.fetchOne("SELECT i AS renamed FROM t") { try $0.int("renamed") } == 42)
        let error = try decodingError { _ = try db.fetchOne("SELECT i AS renamed FROM t") { try $0.int("i") } }
        #expect(error.column == "i" && error.message.contains("renamed"))
    }

    @Test func aMissingOrAmbiguousColumnThrowsNamingIt() throws {
        let db = try database()
        let sql = "SELECT i, s FROM t"
        let missing = try decodingError { _ = try db.fetchOne(sql) { try $0.text("nope") } }
        #expect(missing.column == "nope" && missing.code == 25 && missing.sql == sql)
        #expect(missing.message.contains("`nope`") && missing.message.contains("i, s"))
        let ambiguous = try decodingError { _ = try db.fetchOne("SELECT a.i, b.i FROM t a, t b") { try $0.int("i") } }
        #expect(ambiguous.column == "i" && ambiguous.message.contains("alias"))
    }

    @Test func aMistypedColumnThrowsSayingWhatItFound() throws {
        let db = try database()
        let text = try decodingError { _ = try db.fetchOne("SELECT s FROM t") { try $0.int("s") } }
        #expect(text.column == "s" && text.code == 20 && text.sql == "SELECT s FROM t")
        #expect(text.message == #"column `s` holds TEXT "hello", expected INTEGER"#)
        #expect(text.description.contains("SELECT s FROM t"))
        let number = try decodingError { _ = try db.fetchOne("SELECT i FROM t") { try $0.text("i") } }
        #expect(number.message == "column `i` holds INTEGER 42, expected TEXT")
        let fraction = try decodingError { _ = try db.fetchOne("SELECT r FROM t") { try $0.int("r") } }
        #expect(fraction.message == "column `r` holds REAL 2.5, expected INTEGER")
        #expect(throws: SQLiteError.self) { try db.fetchOne("SELECT s FROM t") { try $0.blob("s") } }
        #expect(throws: SQLiteError.self) { try db.fetchOne("SELECT i FROM t") { try $0.bool("i") } }
    }

    @Test func wholeNumbersConvertBetweenIntegerAndReal() throws {
        let db = try database()
        #expect(try db.fetchOne("SELECT whole FROM t") { try $0.int("whole") } == 3)
        #expect(try db.fetchOne("SELECT i FROM t") { try $0.double("i") } == 42.0)
        #expect(try db.fetchOne("SELECT 0 AS flag") { try $0.bool("flag") } == false)
    }

    @Test func nullIsAnErrorUnlessOptional() throws {
        let db = try database()
        let null = try decodingError { _ = try db.fetchOne("SELECT n FROM t") { try $0.int("n") } }
        #expect(null.column == "n" && null.message == "column `n` holds NULL, expected INTEGER")
        for read in [{ try $0.text("n") }, { try $0.blob("n") }, { try $0.double("n") }, { try $0.bool("n") }] as [(SQLiteRow) throws -> Any] {
            #expect(throws: SQLiteError.self) { try db.fetchOne("SELECT n FROM t", [], read) }
        }
        let optionals = try db.fetchOne("SELECT n, i, s FROM t") { row in
            [try row.optionalInt("n") as Any?, try row.optionalText("n"), try row.optionalDouble("n"), try row.optionalBlob("n"),
             try row.optionalInt("i"), try row.optionalText("s")]
        }
        #expect(optionals?.map { $0 == nil } == [true, true, true, true, false, false])
        #expect(try db.fetchOne("SELECT i FROM t") { try $0.optionalInt("i") } == 42)
        #expect(throws: SQLiteError.self) { try db.fetchOne("SELECT i FROM t") { try $0.optionalText("i") } }
        #expect(try db.fetchOne("SELECT n FROM t") { try $0.value("n") } == .null)
    }

    @Test func lastInsertedRowIDIsTheNewRow() throws {
        let db = try database()
        try db.execute("INSERT INTO t (i) VALUES (7)")
        #expect(db.lastInsertedRowID == 2)
    }
}

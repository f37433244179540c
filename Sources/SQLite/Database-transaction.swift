extension Database {
    /// How a transaction takes its lock.
    public enum TransactionKind: Sendable {
        /// `BEGIN DEFERRED`: no lock until the first statement needs one. A transaction that reads first and writes
        /// later can fail with `SQLITE_BUSY` at the first write, without waiting, when another connection wrote in
        /// between. Use it for read-only work that needs one consistent snapshot.
        case deferred
        /// `BEGIN IMMEDIATE`: takes the write lock at once, waiting up to the busy timeout. The kind for writers.
        case immediate
    }

    /// Runs `body` inside a transaction: commits when it returns, rolls back when it throws, and rethrows.
    ///
    /// Transactions do not nest: calling this while a transaction is open on the connection (from an outer
    /// `transaction` or a `BEGIN` in SQL) throws `SQLITE_MISUSE` before `body` runs. An inner unit of work that
    /// "commits" inside an outer one would not be durable until the outer commit, and savepoints would hide that;
    /// write `SAVEPOINT` / `RELEASE` in SQL when nesting is really wanted.
    ///
    /// When `COMMIT` fails (for example `SQLITE_BUSY` under `.deferred`), the transaction is rolled back and the
    /// commit error thrown. A failure of the rollback itself is not reported: the error that caused it is.
    public func transaction<R>(_ kind: TransactionKind, _ body: () throws -> R) throws -> R {
        guard !isInTransaction else {
            throw SQLiteError.misuse(
                "a transaction is already open on this connection; transaction(_:_:) does not nest",
                "beginning a transaction")
        }
        switch kind {
        case .deferred: try execute("BEGIN DEFERRED")
        case .immediate: try execute("BEGIN IMMEDIATE")
        }
        let result: R
        do {
            result = try body()
            try execute("COMMIT")
        } catch {
            rollbackIfOpen()
            throw error
        }
        return result
    }

    /// Rolls back the open transaction, if SQLite has not already done so (it rolls back by itself after some
    /// errors, such as `SQLITE_FULL` or an interrupted statement).
    private func rollbackIfOpen() {
        guard isInTransaction else { return }
        try? execute("ROLLBACK")
    }
}

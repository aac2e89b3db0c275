// The narrow interface through which pure code reaches PostgreSQL.
// pg_database.cpp implements it over SPI; test/unit/scripted_database.h
// implements it for the unit tests, which run the pure code over it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "catalog.h"
#include "error.h"
#include "statement.h"

namespace scrub {

using Row = std::vector<std::optional<std::string>>;

// scrub's run lock (Database::TryLockRun): an advisory lock of class
// kRunLockClass ("scrb" as int4) whose fourth field, pg_locks.objsubid, is
// kRunLockField, a value no SQL-level advisory lock function uses.
inline constexpr uint32_t kRunLockClass = 1935896418;
inline constexpr uint32_t kRunLockField = 3;

// Which rows a statement sees.
enum class Visibility {
    kRunSnapshot,  // the snapshot taken once per run, after the source is locked
    kLatest,       // the transaction's own latest writes (scratch tables)
};

// The owner of the table a statement reads or evaluates the rows of: the
// statement runs with that role's rights, never the caller's, so that code
// another role wrote (CHECK and domain constraints, casts, operators, and
// whatever they reach) cannot act as the caller.
struct TableOwner {
    uint32_t oid = 0;
    std::string name;   // the role, for error messages
    std::string table;  // "schema.table", for error messages
};

// An object that an expression would run or read, owned by a role that
// the expression must not run the code of, or held by a schema such a
// role owns (Database::ForeignObjectsIn). Scrub's later statements name
// the object by schema and name, so the schema's owner could rename the
// schema between them and put an object of its own under that name.
struct ForeignObject {
    std::string object;          // as PostgreSQL describes it: "function public.f(integer)"
    std::string owner;           // the role that owns it, if untrusted; else empty
    bool runs_sql_text = false;  // a built-in that runs SQL text
    std::string schema;          // its schema, if the schema's owner is untrusted; else empty
    std::string schema_owner;    // that owner: a role, or pg_database_owner
    std::string database_owner;  // with pg_database_owner: the database's owner it stands for
};

// Why `object` is refused, as the end of a sentence naming it:
// ", owned by role "x"." and the like.
inline std::string WhyForeign(const ForeignObject& object) {
    if (object.runs_sql_text) return ", which runs SQL text that scrub cannot check.";
    std::string why;
    if (!object.owner.empty()) why += ", owned by role \"" + object.owner + "\"";
    if (!object.schema.empty()) {
        why += std::string(why.empty() ? "," : " and") + " in schema \"" + object.schema +
               "\" owned by role \"" + object.schema_owner + "\"";
        if (!object.database_owner.empty())
            why += " (the database's owner, role \"" + object.database_owner + "\")";
        why += ", which can rename the schema and put an object of its own in its place";
    }
    return why + ".";
}

class Database {
  public:
    virtual ~Database() = default;

    // Runs a statement with the caller's rights and returns all result
    // rows as text.
    virtual std::vector<Row> Query(const Statement& statement, Visibility visibility) = 0;
    // Runs a statement with the caller's rights for its effect; returns the
    // number of rows processed.
    virtual uint64_t Execute(const Statement& statement, Visibility visibility) = 0;
    // As Query and Execute, but as `owner` in a security-restricted
    // operation (as ANALYZE and CREATE INDEX run user code): no SET ROLE,
    // no temporary tables, search_path pinned, and every setting the
    // statement changes reverted after it. A permission error names the
    // table and its owner.
    virtual std::vector<Row> QueryAsOwner(const TableOwner& owner, const Statement& statement,
                                          Visibility visibility) = 0;
    virtual uint64_t ExecuteAsOwner(const TableOwner& owner, const Statement& statement,
                                    Visibility visibility) = 0;
    // Takes scrub's run lock for `key` until the transaction ends, without
    // waiting; false if another transaction holds it. No SQL function can
    // take or hold this lock, so no other role can block runs with it.
    virtual bool TryLockRun(uint32_t key) = 0;
    // As QueryAsOwner, but an error the statement itself raises (anything
    // but a permission error) is thrown as the ScrubError that `explain`
    // makes of its report. No subtransaction catches it: the error ends
    // the run, and nothing may run on the database after it.
    virtual std::vector<Row> QueryAsOwnerExplained(
        const TableOwner& owner, const Statement& statement, Visibility visibility,
        const std::function<ScrubError(const ErrorReport& cause)>& explain) {
        (void)explain;
        return QueryAsOwner(owner, statement, visibility);
    }
    // Runs `body` in a subtransaction of its own, for scrub_plan, which
    // reports what a run would fail on instead of failing. A ScrubError
    // that `body` throws (or a PostgreSQL error of a statement it runs)
    // rolls the subtransaction back, undoing all `body` did, and is
    // returned; the transaction stays usable. A cancel, a lack of
    // resources or any other exception rolls back too and is rethrown.
    // This default has no transaction to roll back: it suits databases
    // that only script answers (the unit tests').
    virtual std::optional<ScrubError> Attempt(const std::function<void()>& body) {
        try {
            body();
        } catch (const ScrubError& error) {
            return error;
        }
        return std::nullopt;
    }
    // Whether `expression` is one SQL expression by the grammar alone (no
    // catalog is read, no code runs): "SELECT (expression\n)" must parse
    // as one SELECT of one value and nothing else, so that the text cannot
    // close the parentheses scrub puts around it and add clauses or
    // statements. A syntax error is thrown as the ScrubError `explain`
    // makes of it.
    virtual bool IsOneExpression(
        const std::string& expression,
        const std::function<ScrubError(const ErrorReport& cause)>& explain) = 0;
    // Parses and analyses the statement (no planning, no execution: the
    // analysis calls no function another role wrote) as `runs_as`, under
    // the pinned search_path QueryAsOwner runs it with (oid 0: as the
    // caller), and returns what it would run or read that is owned by
    // neither a superuser nor that role: every function it calls (those of
    // operators, casts, coercions, type input and output, aggregates and
    // the sorting and grouping of its subqueries), every domain whose
    // constraints it checks, and every relation it reads, except those of
    // `trusted_relations`; and every built-in function that runs SQL text
    // or reads a relation named by a value (query_to_xml, table_to_xml,
    // ts_stat...), whose effects no analysis can see (owner left empty). An analysis error is
    // thrown as the ScrubError `explain` makes of it.
    // With `canonical`, the statement is "SELECT [e] FROM <one table> AS
    // alias [WHERE c] ..."; when nothing foreign is found, `canonical` gets
    // e (or, without e, c) as this very analysis resolved it, written back
    // as SQL by PostgreSQL's ruleutils under an empty search_path: every
    // function, operator, relation, type and collation outside pg_catalog
    // schema-qualified, every implicit cast written out, the table's
    // columns as bare names. Spliced into a later statement over rows
    // named `alias`, the text then calls and reads what was analysed here,
    // whatever objects are created in between (a better-matching overload
    // cannot capture a call whose arguments carry their exact types).
    virtual std::vector<ForeignObject> ForeignObjectsIn(
        const TableOwner& runs_as, const Statement& statement,
        const std::vector<uint32_t>& trusted_relations,
        const std::function<ScrubError(const ErrorReport& cause)>& explain,
        std::string* canonical = nullptr) = 0;
    // Takes and keeps the run snapshot; call once, after locking the source.
    virtual void TakeRunSnapshot() = 0;
    // True if the relation's catalog row was changed by a transaction the
    // run snapshot does not see (TRUNCATE, a rewrite, ALTER TABLE): its
    // contents then no longer match that snapshot.
    virtual bool ChangedAfterRunSnapshot(uint32_t relid) = 0;

    virtual std::string QuoteIdentifier(const std::string& name) = 0;
    // Fills the column's scalar type and array-ness from the type (typid,
    // typmod), looking through domains and arrays.
    virtual void DescribeColumnType(uint32_t typid, int32_t typmod, ColumnInfo& column) = 0;

    // Shows what the run is doing in pg_stat_activity and in error context.
    virtual void ReportActivity(const std::string& activity) = 0;
    // Writes a line to the server log.
    virtual void Log(const std::string& message) = 0;
    // A run fails with an injected C++ exception after this many tables
    // (the scrub.debug_fail_after_tables setting; negative: never).
    virtual int FailAfterTables() = 0;
};

}  // namespace scrub

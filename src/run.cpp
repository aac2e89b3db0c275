// The run, step by step. Nothing here commits: the caller's transaction
// holds every write, so a failure at any step leaves the database as it was.
#include "run.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <functional>
#include <stdexcept>

#include "allowlist.h"
#include "error.h"
#include "fake.h"
#include "plan.h"
#include "preflight.h"
#include "rules.h"
#include "sqlgen.h"

#include "pure_only.h"  // last: no PostgreSQL header above

namespace scrub {
namespace {

constexpr size_t kMaxIdentifierBytes = 63;  // NAMEDATALEN - 1

void CheckSchemaName(const std::string& name, const char* argument) {
    if (name.empty())
        throw ScrubError(sqlstate::kInvalidParameterValue,
                         std::string(argument) + " must not be empty", "",
                         "Pass the name of a schema.");
    if (name.size() > kMaxIdentifierBytes)
        throw ScrubError(
            sqlstate::kNameTooLong, std::string(argument) + " \"" + name + "\" is too long",
            "Schema names are at most 63 bytes; this one has " + std::to_string(name.size()) + ".",
            "Pass a shorter name.");
    if (name.rfind("pg_", 0) == 0)
        throw ScrubError("42939", std::string(argument) + " \"" + name + "\" is reserved",
                         "Schema names beginning with \"pg_\" are reserved for the system.",
                         "Pass another name.");
}

// The first value of a statement's result, which must have one.
std::string FirstValueOf(const std::vector<Row>& rows, const Statement& statement) {
    if (rows.empty() || rows[0].empty() || !rows[0][0])
        throw ScrubError(sqlstate::kInternalError, "query returned no value: " + statement.sql);
    return *rows[0][0];
}

std::string FirstValue(Database& db, const Statement& statement, Visibility visibility) {
    return FirstValueOf(db.Query(statement, visibility), statement);
}

// The run lock's key for a target schema (FNV-1a of its name): runs for
// different targets take different locks.
uint32_t RunLockKey(const std::string& target) {
    uint32_t hash = 2166136261u;
    for (unsigned char c : target) hash = (hash ^ c) * 16777619u;
    return hash;
}

// Takes the per-target run lock for the transaction, or fails naming the
// process that holds it: two runs must never interleave on one schema.
// Only a run can hold this lock (Database::TryLockRun), so the holder is
// a run still executing or a transaction that ran one and is still open.
void LockTarget(Database& db, const std::string& target) {
    uint32_t key = RunLockKey(target);
    if (db.TryLockRun(key)) return;

    Statement holder{
        "SELECT l.pid, a.state FROM pg_catalog.pg_locks l"
        " LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid OPERATOR(pg_catalog.=) l.pid"
        " WHERE l.locktype OPERATOR(pg_catalog.=) 'advisory' AND l.granted"
        " AND l.classid OPERATOR(pg_catalog.=) CAST($1 AS pg_catalog.oid)"
        " AND l.objid OPERATOR(pg_catalog.=) CAST($2 AS pg_catalog.oid)"
        " AND l.objsubid OPERATOR(pg_catalog.=) CAST($3 AS pg_catalog.int2)"
        " AND l.database OPERATOR(pg_catalog.=) (SELECT d.oid FROM pg_catalog.pg_database d"
        "   WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database())",
        {}};
    holder.Bind(std::to_string(kRunLockClass));
    holder.Bind(std::to_string(key));
    holder.Bind(std::to_string(kRunLockField));
    std::vector<Row> rows = db.Query(holder, Visibility::kLatest);
    std::string pid = rows.empty() || !rows[0][0] ? "unknown" : *rows[0][0];
    std::string state = rows.empty() ? "" : rows[0][1].value_or("");
    std::string hint =
        state == "active"
            ? "Wait for that run to finish, or stop it with pg_cancel_backend(" + pid + ")."
        : state.rfind("idle in transaction", 0) == 0
            ? "That session ran scrub_to_schema in a transaction it has not ended yet (" + state +
                  "): end the transaction there, or end the session with "
                  "pg_terminate_backend(" +
                  pid +
                  "); pg_cancel_backend() does not stop an idle "
                  "session."
            : "Wait for the transaction of that run to end. pg_cancel_backend(" + pid +
                  ") stops a run that is executing; a session idle in the transaction of a "
                  "finished run must end it, or be ended with pg_terminate_backend(" +
                  pid + ").";
    throw ScrubError(sqlstate::kLockNotAvailable,
                     "another scrub_to_schema run is building schema \"" + target + "\"",
                     "Process " + pid + " holds the run lock for this schema.", hint);
}

void CheckSourceSchema(Database& db, const std::string& source) {
    Statement exists{
        "SELECT pg_catalog.count(*) FROM pg_catalog.pg_namespace"
        " WHERE nspname OPERATOR(pg_catalog.=) $1",
        {}};
    exists.Bind(source);
    if (FirstValue(db, exists, Visibility::kLatest) == "0")
        throw ScrubError(sqlstate::kInvalidSchemaName,
                         "source schema \"" + source + "\" does not exist", "",
                         "Pass the schema that holds the application's tables as source_schema.");
}

// True if the target schema exists; fails if it exists but scrub did not
// build it, so that a run can never drop somebody else's schema. A
// manifest table proves nothing by itself (any role that may create a
// schema can create one holding a table _scrub_run, and make objects
// elsewhere depend on it): the schema must also belong to the calling
// role, as every schema its runs build does.
bool TargetExists(Database& db, const std::string& target) {
    Statement probe{
        "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c"
        " WHERE c.relnamespace OPERATOR(pg_catalog.=) n.oid"
        " AND c.relname OPERATOR(pg_catalog.=) $2 AND c.relkind OPERATOR(pg_catalog.=) 'r'),"
        " pg_catalog.pg_get_userbyid(n.nspowner),"
        " n.nspowner OPERATOR(pg_catalog.=) (SELECT r.oid FROM pg_catalog.pg_roles r"
        "   WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER)"
        " FROM pg_catalog.pg_namespace n WHERE n.nspname OPERATOR(pg_catalog.=) $1",
        {}};
    probe.Bind(target);
    probe.Bind(std::string(kManifestRunTable));
    std::vector<Row> rows = db.Query(probe, Visibility::kLatest);
    if (rows.empty()) return false;
    if (rows[0][0].value_or("") != "t")
        throw ScrubError(
            sqlstate::kDuplicateSchema,
            "schema \"" + target + "\" exists and was not created by scrub",
            "scrub only replaces schemas that hold its manifest table _scrub_run.",
            "Choose another target_schema, or drop or rename schema \"" + target + "\" yourself.");
    if (rows[0][2].value_or("") != "t")
        throw ScrubError(
            sqlstate::kInsufficientPrivilege,
            "schema \"" + target + "\" is not owned by the role running scrub_to_schema",
            "Schema \"" + target + "\" is owned by role \"" + rows[0][1].value_or("") +
                "\"; a run replaces only a target schema that the role running it owns, as "
                "every schema it builds is.",
            "Choose another target_schema, or, if that schema holds nothing but an earlier "
            "scrubbed copy, drop it yourself or have its owner run scrub_to_schema.");
    return true;
}

double MillisecondsSince(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
}

std::string FormatMilliseconds(double ms) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.3f", ms);
    return buffer;
}

std::string FirstValueAsOwner(Database& db, const TableOwner& owner, const Statement& statement,
                              Visibility visibility) {
    return FirstValueOf(db.QueryAsOwner(owner, statement, visibility), statement);
}

// Copies one table's rows and proves the copy complete: the source's row
// count at the run snapshot, counted by a scan of its own, must equal the
// number of rows the INSERT wrote into the scratch table. Both run as the
// table's owner: the INSERT evaluates the columns' domain constraints and
// casts, which the owner chose.
TableReport CopyTable(Database& db, const TablePlan& table, const RunOptions& options,
                      const std::string& build_schema, const IdentifierQuoter& quote,
                      const std::string& hash_token) {
    auto start = std::chrono::steady_clock::now();
    const std::string& name = table.table->name;
    const std::string& schema = table.table->schema;
    TableOwner owner = OwnerOf(*table.table, schema);
    uint64_t copied = db.ExecuteAsOwner(
        owner, CopyRows(table, schema, build_schema, quote, options.extension_schema, hash_token),
        Visibility::kRunSnapshot);
    uint64_t source_rows = std::stoull(
        FirstValueAsOwner(db, owner, CountRows(*table.table, schema, quote, FilterCondition(table)),
                          Visibility::kRunSnapshot));
    if (copied != source_rows)
        throw ScrubError(sqlstate::kDataCorrupted,
                         "row count check failed for table \"" + schema + "." + name + "\"",
                         "The source has " + std::to_string(source_rows) +
                             " rows at the run snapshot, but " + std::to_string(copied) +
                             " were written to the scratch table.",
                         "Nothing was written. Report this as a bug in scrub.");
    // The source schema's tables by their name, as ever; another schema's
    // as its allowlist key.
    return {
        schema == options.source_schema ? name : TableKeyOf(schema, name, options.source_schema),
        source_rows, static_cast<int>(table.KeptCount()), static_cast<int>(table.ScrubbedCount()),
        MillisecondsSince(start)};
}

// Code that ran as the table's owner while its rows were copied and
// checked (a domain's CHECK, say) held INSERT on the scratch table, which
// the copy needs, and could have added rows of its own: the scratch table,
// counted with the caller's rights once the grant is gone, must hold
// exactly the rows the copy wrote.
void CheckNoRowsAdded(Database& db, const TablePlan& table, const TableReport& report,
                      const std::string& source_schema, const std::string& build_schema,
                      const IdentifierQuoter& quote) {
    uint64_t held =
        std::stoull(FirstValue(db,
                               {"SELECT pg_catalog.count(*) FROM ONLY " +
                                    QualifiedName(quote, build_schema, table.table->name),
                                {}},
                               Visibility::kLatest));
    if (held != report.rows)
        throw ScrubError(
            sqlstate::kInsufficientPrivilege,
            "code run as role \"" + table.table->owner +
                "\" wrote to the scrubbed copy of table \"" + source_schema + "." +
                table.table->name + "\"",
            "The copy wrote " + std::to_string(report.rows) +
                " rows, but the scratch table holds " + std::to_string(held) +
                ": a constraint, cast or function that ran as the table's owner inserted the "
                "others.",
            "Remove the code that writes to other tables from the constraints of table \"" +
                source_schema + "." + table.table->name + "\" and the domains of its columns.");
}

// The source table's signature (scrub_table_signature(), called through
// the extension's schema), so that an export of this scratch schema can
// tell whether the table changed since; NULL for a table without rows.
std::string SignatureOf(const TablePlan& table, const std::string& signature_function,
                        Statement& statement) {
    if (!table.copy_rows || signature_function.empty()) return "CAST(NULL AS pg_catalog.text)";
    // regclass, as declared: an oid argument would let an overload taking
    // oid that another role made in the extension's schema match better.
    return signature_function + "(CAST(CAST(" + statement.Bind(std::to_string(table.table->oid)) +
           " AS pg_catalog.oid) AS pg_catalog.regclass))";
}

// The scratch table is created from the column types' names, read from
// the catalog earlier; a type renamed and another made under its name
// since (by a table owner's code that ran meanwhile, or by another
// session) would give the scratch column another type, and kept values
// would pass through an assignment cast into it, silently changed. Each
// scratch column must have exactly its source column's type and modifier.
void CheckScratchColumnsMatch(Database& db, const TablePlan& table,
                              const std::string& source_schema, const std::string& build_schema) {
    Statement differing{
        "SELECT a.attname, pg_catalog.format_type(s.atttypid, s.atttypmod),"
        " pg_catalog.format_type(a.atttypid, a.atttypmod)"
        " FROM pg_catalog.pg_class c"
        " JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
        " JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.oid"
        " LEFT JOIN pg_catalog.pg_attribute s"
        "   ON s.attrelid OPERATOR(pg_catalog.=) CAST($3 AS pg_catalog.oid)"
        "  AND s.attname OPERATOR(pg_catalog.=) a.attname AND NOT s.attisdropped"
        " WHERE n.nspname OPERATOR(pg_catalog.=) $1 AND c.relname OPERATOR(pg_catalog.=) $2"
        " AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped"
        " AND (s.attname IS NULL OR s.atttypid OPERATOR(pg_catalog.<>) a.atttypid"
        "      OR s.atttypmod OPERATOR(pg_catalog.<>) a.atttypmod)"
        " ORDER BY a.attnum",
        {}};
    differing.Bind(build_schema);
    differing.Bind(table.table->name);
    differing.Bind(std::to_string(table.table->oid));
    std::vector<std::string> lines;
    for (const Row& row : db.Query(differing, Visibility::kLatest))
        lines.push_back("Column \"" + row[0].value_or("") + "\" has type " +
                        row[1].value_or("(none)") + " in the source, but " + row[2].value_or("") +
                        " in the scratch table.");
    if (!lines.empty())
        throw ScrubError(sqlstate::kSerializationFailure,
                         "column types of table \"" + source_schema + "." + table.table->name +
                             "\" changed while scrub_to_schema ran",
                         JoinLines(lines),
                         "A type the table uses was renamed and another created under its name "
                         "after the run read the catalog. Run scrub_to_schema again; if this "
                         "repeats, code that runs as a table's owner during the run (a domain or "
                         "CHECK constraint, say) renames types: remove it.");
}

// The manifest's record of each copied column's rule and the reason the
// allowlist gives for it: {"email": {"rule": "email", "why": "..."}}. Built
// by the server from text arrays, so names in any encoding stay as they are.
// A constant's value, an expression's text, the hash key: none is recorded
// here (the allowlist itself is in _scrub_run, the key nowhere).
std::string ColumnRules(const TablePlan& table, Statement& statement) {
    if (!table.copy_rows) return "CAST(NULL AS pg_catalog.jsonb)";
    std::vector<std::string> names, rules, whys;
    for (const ColumnPlan& column : table.columns) {
        names.push_back(column.column.name);
        rules.push_back(column.RuleName());
        whys.push_back(column.rule.why);
    }
    return "(SELECT COALESCE(pg_catalog.jsonb_object_agg(r.name,"
           " pg_catalog.jsonb_build_object('rule', r.rule) OPERATOR(pg_catalog.||)"
           " CASE WHEN r.why OPERATOR(pg_catalog.=) '' THEN CAST('{}' AS pg_catalog.jsonb)"
           " ELSE pg_catalog.jsonb_build_object('why', r.why) END), CAST('{}' AS pg_catalog.jsonb))"
           " FROM ROWS FROM (pg_catalog.unnest(CAST(" +
           statement.Bind(TextArrayLiteral(names)) +
           " AS pg_catalog.text[])), pg_catalog.unnest(CAST(" +
           statement.Bind(TextArrayLiteral(rules)) +
           " AS pg_catalog.text[])), pg_catalog.unnest(CAST(" +
           statement.Bind(TextArrayLiteral(whys)) +
           " AS pg_catalog.text[]))) AS r (name, rule, why))";
}

// The manifest's leak counts of a copied table: {"column": count} for
// every column the leak check measured ({} when none); NULL for a table
// copied without rows.
std::string LeakedColumn(const TableReport* report, Statement& statement) {
    if (report == nullptr) return "CAST(NULL AS pg_catalog.jsonb)";
    std::vector<std::string> names, counts;
    for (const auto& [name, count] : report->leaks) {
        names.push_back(name);
        counts.push_back(std::to_string(count));
    }
    return "(SELECT COALESCE(pg_catalog.jsonb_object_agg(l.name, l.count),"
           " CAST('{}' AS pg_catalog.jsonb))"
           " FROM ROWS FROM (pg_catalog.unnest(CAST(" +
           statement.Bind(TextArrayLiteral(names)) +
           " AS pg_catalog.text[])), pg_catalog.unnest(CAST(" +
           statement.Bind(TextArrayLiteral(counts)) +
           " AS pg_catalog.int8[]))) AS l (name, count))";
}

// The leak check of one copied table (sqlgen.h, LeakCount), as its owner
// under the run snapshot, while the owner may read the scratch table:
// per measured column, how many scrubbed values equal a source value.
std::vector<std::pair<std::string, uint64_t>> CountLeaks(Database& db, const TablePlan& table,
                                                         const std::string& build_schema,
                                                         const IdentifierQuoter& quote) {
    std::vector<std::string> columns = LeakCheckedColumns(table);
    std::vector<std::pair<std::string, uint64_t>> leaks;
    for (const std::string& column : columns) leaks.emplace_back(column, 0);
    if (columns.empty()) return leaks;
    TableOwner owner = OwnerOf(*table.table, table.table->schema);
    for (const Row& row :
         db.QueryAsOwner(owner, LeakCount(table, build_schema, quote), Visibility::kRunSnapshot)) {
        if (row.size() < 2) continue;
        size_t index = std::stoul(row[0].value_or("0"));
        if (index >= 1 && index <= leaks.size())
            leaks[index - 1].second = std::stoull(row[1].value_or("0"));
    }
    return leaks;
}

// With leak_check: fails (23000) naming every column with a scrubbed value
// equal to a source value of its column.
void ThrowIfLeaked(const std::vector<TableReport>& reports) {
    std::vector<std::string> leaked;
    for (const TableReport& report : reports)
        for (const auto& [column, count] : report.leaks)
            if (count > 0)
                leaked.push_back("Column \"" + report.table_name + "." + column +
                                 "\": " + std::to_string(count) + " scrubbed " +
                                 (count == 1 ? "value equals" : "values equal") +
                                 " a source value of the column.");
    if (leaked.empty()) return;
    throw ScrubError("23000", "scrubbed values equal source values", JoinLines(leaked),
                     "Give these columns a rule that does not copy their values (fake, a "
                     "realistic rule, hash), or run without leak_check, which records the "
                     "counts in _scrub_tables.leaked only. Nothing was changed.");
}

void RecordTable(Database& db, const std::string& build_schema, const IdentifierQuoter& quote,
                 const std::string& signature_function, const TablePlan& table,
                 const TableReport* report, const std::string& scratch_schema) {
    Statement insert;
    insert.sql =
        "INSERT INTO " + QualifiedName(quote, build_schema, kManifestTablesTable) + " VALUES (" +
        insert.Bind(table.table->name) + ", " +
        insert.Bind(std::string(table.copy_rows ? "t" : "f")) + "::pg_catalog.bool, " +
        insert.Bind(report ? std::optional(std::to_string(report->rows)) : std::nullopt) +
        "::pg_catalog.int8, " +
        insert.Bind(report ? std::optional(std::to_string(report->rows)) : std::nullopt) +
        "::pg_catalog.int8, " + insert.Bind(TextArrayLiteral(table.ColumnNames(true))) +
        "::pg_catalog.text[], " + insert.Bind(TextArrayLiteral(table.ColumnNames(false))) +
        "::pg_catalog.text[], " +
        insert.Bind(report ? std::optional(FormatMilliseconds(report->milliseconds))
                           : std::nullopt) +
        "::pg_catalog.numeric, " + SignatureOf(table, signature_function, insert) + ", " +
        insert.Bind(table.table->schema) + ", " + insert.Bind(scratch_schema) + ", " +
        ColumnRules(table, insert) + ", " +
        insert.Bind(table.row_filter.empty() ? std::nullopt : std::optional(table.row_filter)) +
        "::pg_catalog.text, " + LeakedColumn(report, insert) + ")";
    db.Execute(insert, Visibility::kLatest);
}

// Locks every sequence to be recorded and proves that each name still
// names the sequence the catalog read found: since then the run may have
// waited (for a lock, for CREATE SCHEMA), or run a table owner's code,
// while another role renamed a sequence and made a view of the same name,
// whose query a read by name would run with the caller's rights. Names
// are resolved through the catalog only, and each sequence is locked by
// OID (pg_sequence_last_value() holds its lock to the end of the
// transaction), so none can be renamed or dropped before it is read.
void LockSequences(Database& db, const std::vector<SequenceInfo>& sequences) {
    if (sequences.empty()) return;
    std::vector<std::string> schemas, names;
    for (const SequenceInfo& sequence : sequences) {
        schemas.push_back(sequence.schema);
        names.push_back(sequence.name);
    }
    // The CASE keeps pg_sequence_last_value() from meeting anything but a
    // sequence; its result is unused, it is called for its lock.
    Statement lock{
        "SELECT s.position, c.oid,"
        " CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'S'"
        " THEN pg_catalog.pg_sequence_last_value(c.oid) END"
        " FROM ROWS FROM (pg_catalog.unnest(CAST($1 AS pg_catalog.text[])),"
        "                 pg_catalog.unnest(CAST($2 AS pg_catalog.text[])))"
        "   WITH ORDINALITY AS s (schema_name, relation_name, position)"
        " JOIN pg_catalog.pg_namespace n ON n.nspname OPERATOR(pg_catalog.=) s.schema_name"
        " JOIN pg_catalog.pg_class c ON c.relnamespace OPERATOR(pg_catalog.=) n.oid"
        "  AND c.relname OPERATOR(pg_catalog.=) s.relation_name"
        "  AND c.relkind OPERATOR(pg_catalog.=) 'S'",
        {}};
    lock.Bind(TextArrayLiteral(schemas));
    lock.Bind(TextArrayLiteral(names));
    // Twice: a sequence renamed by a transaction that committed while the
    // first statement waited for its lock still had its old name in that
    // statement's catalog snapshot. The second sees the names as they are
    // under the locks; every name must lead to the sequence the catalog
    // read found both times.
    std::vector<std::map<size_t, std::string>> passes(2);
    for (auto& found : passes)
        for (const Row& row : db.Query(lock, Visibility::kLatest))
            found[std::stoul(row[0].value_or("0")) - 1] = row[1].value_or("");
    std::vector<std::string> replaced;
    for (size_t i = 0; i < sequences.size(); ++i) {
        std::string oid = std::to_string(sequences[i].oid);
        if (passes[0][i] != oid || passes[1][i] != oid)
            replaced.push_back("\"" + sequences[i].schema + "." + sequences[i].name + "\"");
    }
    if (!replaced.empty())
        throw ScrubError(sqlstate::kSerializationFailure,
                         "sequences changed while scrub_to_schema ran",
                         "These names no longer name the sequences the run read from the "
                         "catalog: " +
                             JoinLines(replaced, ", ") + ".",
                         "Run scrub_to_schema again. If this repeats, code that runs as a table's "
                         "owner during the run (a domain or CHECK constraint, an index or "
                         "statistics expression) renames or replaces sequences: remove it.");
}

// Records each sequence's current value, with its schema, so a restore can
// set it and new rows do not collide with copied keys. LockSequences has
// made sure that each name is the sequence's.
void RecordSequences(Database& db, const std::vector<SequenceInfo>& sequences,
                     const std::string& build_schema, const IdentifierQuoter& quote) {
    LockSequences(db, sequences);
    for (const SequenceInfo& sequence : sequences) {
        Statement insert;
        insert.sql = "INSERT INTO " + QualifiedName(quote, build_schema, kManifestSequencesTable) +
                     " SELECT " + insert.Bind(sequence.name) + ", last_value, is_called, " +
                     insert.Bind(sequence.schema) + " FROM " +
                     QualifiedName(quote, sequence.schema, sequence.name);
        db.Execute(insert, Visibility::kLatest);
    }
}

// Whether a column holds integers (smallint, integer, bigint, or a domain
// over one), whose values a sequence position can be compared with.
bool HoldsIntegers(const ColumnInfo& column) {
    const ScalarType& type = column.scalar;
    return !column.is_array && type.typtype == 'b' && type.schema == "pg_catalog" &&
           (type.name == "int2" || type.name == "int4" || type.name == "int8");
}

// The position RecordSequences recorded for a sequence assumes that the
// columns drawing from it keep the source's values. A column copied with
// another rule holds others (row numbers, hashes spread over the type's
// range), and the restored application's next insert would draw a value
// the copy already holds. So for each integer column not kept whose
// default or identity draws from a recorded sequence, the scratch
// column's greatest value (least, for a descending sequence) is read as
// the table's owner, who may read its scratch table for now, and the
// recorded position moved past it: last_value becomes that value, with
// is_called, when it is at or beyond the recorded one.
void MoveSequencesPastCopy(Database& db, const TablePlan& table, const SourceCatalog& catalog,
                           const std::string& scratch_schema, const std::string& manifest_schema,
                           const IdentifierQuoter& quote) {
    for (const ColumnPlan& column : table.columns) {
        if (column.keep || column.column.sequences.empty() || !HoldsIntegers(column.column))
            continue;
        const std::string name = quote(column.column.name);
        Statement bounds{"SELECT CAST(pg_catalog.max(" + name +
                             ") AS pg_catalog.text), CAST(pg_catalog.min(" + name +
                             ") AS pg_catalog.text) FROM ONLY " +
                             QualifiedName(quote, scratch_schema, table.table->name),
                         {}};
        std::vector<Row> rows = db.QueryAsOwner(OwnerOf(*table.table, table.table->schema), bounds,
                                                Visibility::kLatest);
        if (rows.empty() || rows[0].size() < 2 || !rows[0][0] || !rows[0][1]) continue;
        for (uint32_t oid : column.column.sequences)
            for (const SequenceInfo& sequence : catalog.sequences) {
                if (sequence.oid != oid) continue;
                Statement update;
                update.sql =
                    "UPDATE " + QualifiedName(quote, manifest_schema, kManifestSequencesTable) +
                    " AS m SET last_value = CASE WHEN v.up THEN v.high ELSE v.low END,"
                    " is_called = true FROM (SELECT CAST(" +
                    update.Bind(*rows[0][0]) + " AS pg_catalog.int8) AS high, CAST(" +
                    update.Bind(*rows[0][1]) +
                    " AS pg_catalog.int8) AS low,"
                    " (SELECT q.seqincrement OPERATOR(pg_catalog.>) 0"
                    " FROM pg_catalog.pg_sequence q WHERE q.seqrelid OPERATOR(pg_catalog.=) CAST(" +
                    update.Bind(std::to_string(oid)) +
                    " AS pg_catalog.oid)) AS up) AS v"
                    " WHERE m.sequence_schema OPERATOR(pg_catalog.=) " +
                    update.Bind(sequence.schema) + " AND m.sequence_name OPERATOR(pg_catalog.=) " +
                    update.Bind(sequence.name) +
                    " AND CASE WHEN v.up THEN v.high OPERATOR(pg_catalog.>=) m.last_value"
                    " ELSE v.low OPERATOR(pg_catalog.<=) m.last_value END";
                db.Execute(update, Visibility::kLatest);
            }
    }
}

void RecordRun(Database& db, const RunOptions& options, const std::string& build_schema,
               const IdentifierQuoter& quote, const std::string& started_at,
               const std::string& run_snapshot) {
    Statement insert;
    std::string allowlist = insert.Bind(options.allowlist_json);
    insert.sql =
        "INSERT INTO " + QualifiedName(quote, build_schema, kManifestRunTable) + " SELECT " +
        insert.Bind(options.source_schema) + ", CAST(" + allowlist + " AS pg_catalog.jsonb)," +
        " pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(CAST(CAST(" + allowlist +
        " AS pg_catalog.jsonb) AS pg_catalog.text), 'UTF8')), 'hex'),"
        " (SELECT e.extversion FROM pg_catalog.pg_extension e"
        "   WHERE e.extname OPERATOR(pg_catalog.=) 'scrub'),"
        " CAST(" +
        insert.Bind(started_at) +
        " AS pg_catalog.timestamptz),"
        " pg_catalog.clock_timestamp(), pg_catalog.pg_backend_pid(), " +
        insert.Bind(run_snapshot);
    db.Execute(insert, Visibility::kLatest);
}

// Fails, naming every constraint, if the copy would break foreign keys: a
// copied row pointing at a table copied without rows, or through scrubbed
// key columns. Checked on the source under the run snapshot, before any
// copying, so such a run fails fast.
void CheckForeignKeys(Database& db, const Plan& plan, const SourceCatalog& catalog,
                      const RunOptions& options, const IdentifierQuoter& quote,
                      Problems* sink = nullptr) {
    Problems violations;
    for (const ForeignKeyRisk& risk : ForeignKeysAtRisk(plan, catalog, options.source_schema)) {
        const TableInfo* table = FindTable(catalog, risk.key->schema, risk.key->table);
        const TablePlan* planned = nullptr;
        for (const TablePlan& candidate : plan.tables)
            if (candidate.table == table) planned = &candidate;
        Statement probe =
            AnyRowWithValues(*table, table->schema, risk.key->columns, quote,
                             planned != nullptr ? FilterCondition(*planned) : std::string());
        if (FirstValueAsOwner(db, OwnerOf(*table, table->schema), probe,
                              Visibility::kRunSnapshot) != "t")
            continue;
        violations.push_back({risk.key->schema, risk.key->table,
                              risk.key->columns.empty() ? "" : risk.key->columns.front(),
                              "Constraint \"" + risk.key->name + "\" of table \"" +
                                  risk.key->schema + "." + risk.key->table +
                                  "\": copied rows refer to other rows, but " + risk.reason + "."});
    }
    Refuse(sink, violations, "23503", "the scrubbed copy would break foreign keys",
           "Copy each referenced table with rows, keeping the key columns on both "
           "sides, or list the referencing table with [] to copy it without rows.");
}

// Whether any of `columns` of the table is hashed.
bool AnyHashed(const TablePlan& table, const std::vector<std::string>& columns) {
    for (const ColumnPlan& column : table.columns)
        if (!column.keep && column.rule.kind == RuleKind::kHash &&
            std::find(columns.begin(), columns.end(), column.column.name) != columns.end())
            return true;
    return false;
}

// A row filter removes rows that copied rows of other tables may point
// at; a hash that gave values the constraint holds equal different
// pseudonyms would leave rows pointing nowhere too (the plan forbids every
// case it knows of, rules.h; this makes sure). After every table is
// copied, each foreign key whose referenced table has a filter, or with a
// hashed column on either side, is probed on the scratch tables (rows the
// referencing table's own filter removed are not there): any row left
// pointing at no row fails the run, naming every such constraint.
//
// On the scratch tables the probe runs as the caller, who owns them: the
// referencing table's owner must not read the referenced table's copied
// rows. The probe calls the constraint's equality operators and the casts
// between the key columns' types, which the referencing table's owner may
// have written; unless a superuser or the caller owns each, the run is
// refused (42501), naming the constraint and the object. An export's
// probe reads the scrubbed SELECTs of the source tables, as the
// referencing table's owner (the run's owner-rights rules apply to the
// source), and is refused likewise if it would use objects neither a
// superuser nor that owner owns (the referenced table's filter and sql
// rules included).
void CheckFilteredForeignKeys(
    Database& db, const Plan& plan, const SourceCatalog& catalog,
    const std::function<std::string(const std::string& schema)>& build_schema_of,
    const std::string& caller, const IdentifierQuoter& quote,
    const std::function<std::string(const TablePlan& table)>& rows_of = {}) {
    std::vector<std::string> violations;
    std::vector<uint32_t> read_tables;
    for (const TablePlan& table : plan.tables)
        if (table.copy_rows) read_tables.push_back(table.table->oid);
    for (const ForeignKey& key : catalog.foreign_keys) {
        const TablePlan *table = nullptr, *target = nullptr;
        for (const TablePlan& candidate : plan.tables) {
            if (candidate.table->schema == key.schema && candidate.table->name == key.table)
                table = &candidate;
            if (candidate.table->schema == key.referenced_schema &&
                candidate.table->name == key.referenced_table)
                target = &candidate;
        }
        if (table == nullptr || target == nullptr || !table->copy_rows || !target->copy_rows)
            continue;
        // Rows of the source may break a NOT VALID constraint, and a
        // restore does not check them: only a filter makes it probed.
        bool hashed = key.validated && (AnyHashed(*table, key.columns) ||
                                        AnyHashed(*target, key.referenced_columns));
        if (target->row_filter.empty() && !hashed) continue;
        const std::string constraint =
            "constraint \"" + key.name + "\" of table \"" + key.schema + "." + key.table + "\"";
        // Rows (an export's SELECTs) of the source, as the referencing
        // table's owner; or the scratch tables, as the caller.
        TableOwner runs_as =
            rows_of ? OwnerOf(*table->table, key.schema) : TableOwner{0, caller, ""};
        Statement probe =
            rows_of ? AnyRowPointingNowhere({}, {}, key, quote, rows_of(*table), rows_of(*target))
                    : AnyRowPointingNowhere(build_schema_of(key.schema),
                                            build_schema_of(key.referenced_schema), key, quote);
        std::vector<ForeignObject> foreign = db.ForeignObjectsIn(
            runs_as, probe, rows_of ? read_tables : std::vector<uint32_t>{},
            [&constraint](const ErrorReport& cause) {
                return ScrubError(cause.sqlstate,
                                  "the probe of " + constraint + " could not be analysed",
                                  cause.message, "Report this as a bug in scrub.");
            });
        if (!foreign.empty()) {
            std::vector<std::string> lines;
            for (const ForeignObject& object : foreign)
                lines.push_back("The probe of " + constraint + " runs as role \"" + runs_as.name +
                                "\" and would use " + object.object +
                                (object.owner.empty()
                                     ? ", which runs SQL text that scrub cannot check."
                                     : ", owned by role \"" + object.owner + "\"."));
            throw ScrubError(
                sqlstate::kInsufficientPrivilege,
                "the check of " + constraint + " would run code of another role", JoinLines(lines),
                "scrub checks that the copied rows of a filtered or hashed foreign key still "
                "match; the check calls the constraint's equality operators and the casts between "
                "its columns' types, so a superuser must own them (keep the key columns of the "
                "same built-in type), or list the referencing table with [] or the referenced "
                "table without a row filter.");
        }
        bool dangling = (rows_of ? FirstValueAsOwner(db, runs_as, probe, Visibility::kRunSnapshot)
                                 : FirstValue(db, probe, Visibility::kLatest)) == "t";
        if (dangling && rows_of)
            violations.push_back("Constraint \"" + key.name + "\" of table \"" + key.schema + "." +
                                 key.table + "\": copied rows refer to rows of table \"" +
                                 key.referenced_schema + "." + key.referenced_table +
                                 "\" that its row filter left out.");
        else if (dangling)
            violations.push_back(
                "Constraint \"" + key.name + "\" of table \"" + key.schema + "." + key.table +
                "\": copied rows refer to rows of table \"" + key.referenced_schema + "." +
                key.referenced_table + "\" that " +
                (target->row_filter.empty()
                     ? std::string()
                     : std::string("its row filter left out") + (hashed ? " or " : "")) +
                (hashed ? "no copied row matches once the key columns are hashed" : "") + ".");
    }
    if (!violations.empty())
        throw ScrubError(
            "23503", "the scrubbed copy would break foreign keys", JoinLines(violations),
            "Filter the referencing tables so that they keep only rows whose "
            "referenced rows are kept (\"rows\": {\"where\": \"... IN (SELECT ...)\"}), "
            "or widen the referenced table's filter. Where the key columns are hashed, keep "
            "them instead, or report this as a bug in scrub: values the constraint holds equal "
            "got different pseudonyms.");
}

// In REPEATABLE READ or SERIALIZABLE the run snapshot is the transaction's,
// which may predate the locks: a TRUNCATE or table rewrite committed in
// between is invisible to it, and the copy would silently come out empty
// or stale. Every table read (partitions included) must be unchanged since
// the snapshot. In READ COMMITTED the snapshot follows the locks and this
// always holds.
void CheckTablesMatchSnapshot(Database& db, const Plan& plan, const SourceCatalog& catalog) {
    for (const TableInfo& table : catalog.tables) {
        const bool partition = !table.partition_of.empty();
        const std::string& root = partition ? table.partition_of : table.name;
        const std::string& root_schema = partition ? table.partition_of_schema : table.schema;
        bool read = false;
        for (const TablePlan& planned : plan.tables)
            read = read || (planned.copy_rows && planned.table->name == root &&
                            planned.table->schema == root_schema);
        if (read && db.ChangedAfterRunSnapshot(table.oid))
            throw ScrubError(sqlstate::kSerializationFailure,
                             "table \"" + table.schema + "." + table.name +
                                 "\" changed after this transaction's snapshot was taken",
                             "A TRUNCATE, table rewrite or ALTER TABLE committed after the "
                             "snapshot, so the snapshot no longer shows the table's contents.",
                             "Run scrub_to_schema in a transaction of its own, or in READ "
                             "COMMITTED.");
    }
}

// Rows are read as each table's owner (CopyTable), so the caller's own
// right to read them all is proved first: it must hold SELECT on each
// table it copies, and row-level security must not hide rows from it. A
// caller who could not copy a table itself must not copy it through its
// owner. The check reads the catalog by OID and never names the table in
// a query: planning a query over a table loads its expressions (index
// expressions and predicates, statistics expressions, partition keys)
// and runs the functions they call, which another role wrote, with the
// caller's rights.
void CheckCallerMayReadAll(Database& db, const Plan& plan, Problems* sink = nullptr) {
    std::vector<std::string> oids;
    for (const TablePlan& table : plan.tables)
        if (table.copy_rows) oids.push_back(std::to_string(table.table->oid));
    if (oids.empty()) return;
    if (sink != nullptr) {
        Statement every{
            "SELECT n.nspname, c.relname, pg_catalog.has_table_privilege(c.oid, 'SELECT')"
            " FROM pg_catalog.pg_class c"
            " JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
            " WHERE c.oid OPERATOR(pg_catalog.=) ANY (CAST($1 AS pg_catalog.oid[]))"
            " AND (NOT pg_catalog.has_table_privilege(c.oid, 'SELECT')"
            "      OR pg_catalog.row_security_active(c.oid))"
            " ORDER BY n.nspname, c.relname",
            {}};
        every.Bind(TextArrayLiteral(oids));
        for (const Row& row : db.Query(every, Visibility::kLatest)) {
            const std::string schema = row[0].value_or(""), table = row[1].value_or("");
            sink->push_back({schema, table, "",
                             row[2].value_or("") == "t"
                                 ? "Row-level security of table \"" + schema + "." + table +
                                       "\" would hide rows from the role that runs scrub."
                                 : "The run copies table \"" + schema + "." + table +
                                       "\" and needs SELECT on it."});
        }
        return;
    }
    Statement refused{
        "SELECT c.relname, NOT pg_catalog.has_table_privilege(c.oid, 'SELECT'), n.nspname"
        " FROM pg_catalog.pg_class c"
        " JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
        " WHERE c.oid OPERATOR(pg_catalog.=) ANY (CAST($1 AS pg_catalog.oid[]))"
        " AND (NOT pg_catalog.has_table_privilege(c.oid, 'SELECT')"
        "      OR pg_catalog.row_security_active(c.oid))"
        " ORDER BY n.nspname, c.relname LIMIT 1",
        {}};
    refused.Bind(TextArrayLiteral(oids));
    std::vector<Row> rows = db.Query(refused, Visibility::kLatest);
    if (rows.empty()) return;
    const std::string table = rows[0][0].value_or("");
    const std::string schema = rows[0][2].value_or("");
    if (rows[0][1].value_or("") == "t")
        throw ScrubError(
            sqlstate::kInsufficientPrivilege, "permission denied for table " + table,
            "The run copies table \"" + schema + "." + table + "\" and needs SELECT on it.",
            "Grant SELECT on the table to the role that runs scrub.");
    throw ScrubError(
        sqlstate::kInsufficientPrivilege,
        "query would be affected by row-level security policy for table \"" + table + "\"",
        "Row-level security of table \"" + schema + "." + table +
            "\" would hide rows from the role that runs scrub, and a copy must "
            "hold every row.",
        "Give the role that runs scrub BYPASSRLS, or run scrub as the table's "
        "owner (without FORCE ROW LEVEL SECURITY).");
}

// A statement over a partitioned table plans over its partitions too, and
// loads their expressions (a partition's indexes and statistics), which
// the partition's owner wrote: they would run with the rights of the
// root's owner, whose rights the copy has. So every partition must belong
// to the root's owner.
void CheckPartitionTreesHaveOneOwner(Database& db, const Plan& plan, Problems* sink = nullptr) {
    Problems lines;
    for (const TablePlan& table : plan.tables) {
        if (!table.copy_rows || !table.table->partitioned) continue;
        Statement others{
            "SELECT n.nspname, c.relname, pg_catalog.pg_get_userbyid(c.relowner)"
            " FROM pg_catalog.pg_partition_tree(CAST(CAST($1 AS pg_catalog.oid) AS "
            "pg_catalog.regclass)) t"
            " JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.relid"
            " JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
            " WHERE c.relowner OPERATOR(pg_catalog.<>) CAST($2 AS pg_catalog.oid)"
            " ORDER BY 1, 2",
            {}};
        others.Bind(std::to_string(table.table->oid));
        others.Bind(std::to_string(table.table->owner_oid));
        for (const Row& row : db.Query(others, Visibility::kLatest))
            lines.push_back({table.table->schema, table.table->name, "",
                             "Partition \"" + row[0].value_or("") + "." + row[1].value_or("") +
                                 "\" of table \"" + table.table->schema + "." + table.table->name +
                                 "\" is owned by role \"" + row[2].value_or("") +
                                 "\", the table by role \"" + table.table->owner + "\"."});
    }
    Refuse(sink, lines, sqlstate::kInsufficientPrivilege,
           "partitions of a copied table have another owner than the table",
           "scrub reads a partitioned table with its owner's rights, which would "
           "run the partitions' index and statistics expressions with them. Make "
           "the table's owner own every partition (ALTER TABLE ... OWNER TO), or "
           "list the table with [] to copy it without rows.");
}

// The run reads every sequence's value for the manifest; a role that may
// not read one would fail only after copying everything, so check first.
void CheckSequencesReadable(Database& db, const SourceCatalog& catalog) {
    if (catalog.sequences.empty()) return;
    std::vector<std::string> oids;
    for (const SequenceInfo& sequence : catalog.sequences)
        oids.push_back(std::to_string(sequence.oid));
    Statement unreadable{
        "SELECT pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.'"
        " OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname)"
        " FROM pg_catalog.pg_class c"
        " JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
        " WHERE c.oid OPERATOR(pg_catalog.=) ANY (CAST($1 AS pg_catalog.oid[]))"
        // CASE: the planner may evaluate conditions in any order, and
        // has_sequence_privilege() fails on anything but a sequence.
        " AND CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'S'"
        " THEN NOT pg_catalog.has_sequence_privilege(c.oid, 'SELECT') ELSE false END"
        " ORDER BY 1",
        {}};
    unreadable.Bind(TextArrayLiteral(oids));
    std::vector<std::string> names;
    for (const Row& row : db.Query(unreadable, Visibility::kLatest))
        names.push_back(row[0].value_or(""));
    if (!names.empty())
        throw ScrubError(sqlstate::kInsufficientPrivilege,
                         "permission denied for sequences of schema \"" +
                             JoinLines(catalog.schemas, "\", \"") + "\"",
                         "The run records the value of every sequence of the schema, and of "
                         "every sequence its tables' defaults draw from, for the restore, and "
                         "cannot read " +
                             JoinLines(names, ", ") + ".",
                         "Grant SELECT on these sequences to the role that runs scrub, for "
                         "example with GRANT SELECT ON ALL SEQUENCES IN SCHEMA.");
}

// While a table's owner held SELECT on its scratch table, its code could
// have made objects of its own over it (a view, say), which would tie the
// owner's schema to the target and block every later run. Refuse them now.
void CheckNothingMadeOnCopy(Database& db, const std::string& build_schema,
                            const std::string& target) {
    try {
        CheckNothingOutsideDepends(db, build_schema);
    } catch (const ScrubError& error) {
        // The build schema's name is random and gone once the run ends:
        // name the copy as the user knows it, by its target schema.
        std::string detail = error.report().detail;
        const std::string built = build_schema + ".", shown = target + ".";
        for (size_t at = detail.find(built); at != std::string::npos;
             at = detail.find(built, at + shown.size()))
            detail.replace(at, built.size(), shown);
        throw ScrubError(error.report().sqlstate,
                         "objects outside the scrubbed copy were made to depend on it during the "
                         "run",
                         detail,
                         "Code that ran as a table's owner while scrub copied or checked that "
                         "table made them. Remove that code from the table's constraints and "
                         "domains.");
    }
}

// Constraints a fake may break, found on the scratch rows of one table:
// unique indexes whose keys may repeat, CHECKs that read scrubbed columns,
// NOT NULL generated columns computed from them.
struct Violations {
    std::vector<std::string> unique;
    std::vector<std::string> checks;
    std::vector<std::string> not_null;
};

// For a partial unique index whose predicate reads faked booleans or
// enums: those take one value in every row (false, the first label), so
// a soft-delete index such as UNIQUE (login) WHERE NOT deleted covers
// every row. Says so, and to keep them.
std::string OneValueFakesNote(const TablePlan& table, const Index& index) {
    if (index.predicate.empty()) return {};
    std::string names;
    for (const std::string& name : ScrubbedColumnsRead(table, index.ColumnsRead()))
        for (const ColumnPlan& column : table.columns)
            if (column.column.name == name && column.DefaultFake() &&
                (ClassifyType(column.column.scalar) == FakeKind::kBoolean ||
                 ClassifyType(column.column.scalar) == FakeKind::kEnum))
                names += std::string(names.empty() ? "" : ", ") + "\"" + name + "\"";
    if (names.empty()) return {};
    return " Its predicate reads " + names +
           ", faked as one value in every row (false, or the first label), so it covers rows "
           "it did not: keep " +
           names + " (a flag such as a soft delete is rarely personal data).";
}

// The scrubbed columns `columns` read (ScrubbedColumnsRead), quoted and
// joined for a hint.
std::string ScrubbedAmong(const TablePlan& table, const std::vector<std::string>& columns) {
    std::vector<std::string> names;
    for (const std::string& name : ScrubbedColumnsRead(table, columns))
        names.push_back("\"" + name + "\"");
    return JoinLines(names, ", ");
}

// Turns an error an expression raised on the faked rows into one naming
// what the restore would have failed to build.
std::function<ScrubError(const ErrorReport&)> Explain(const std::string& message,
                                                      const std::string& reads) {
    return [message, reads](const ErrorReport& cause) {
        std::string detail = "On the faked rows: " + cause.message;
        if (!cause.detail.empty()) detail += "\n" + cause.detail;
        return ScrubError(cause.sqlstate, message, detail,
                          "A restore evaluates it over the copied rows and would fail the same "
                          "way. Keep the scrubbed columns it reads (" +
                              reads +
                              ") verbatim if their values are safe, or list the table with [] "
                              "to copy no rows.");
    };
}

// What a constraint or index is on: the table `where` names, or, for one
// of a partition's own, that partition of it.
std::string TableOrPartition(const std::string& partition, const std::string& where) {
    if (partition.empty()) return where;
    return "partition \"" + partition + "\" of " + where;
}

// `rows`: the checks read this SELECT's rows (an export's typed
// ScrubbingSelect, under the run snapshot) instead of the scratch table.
void FindViolations(Database& db, const TablePlan& table, const SourceCatalog& catalog,
                    const std::string& source_schema, const std::string& build_schema,
                    const IdentifierQuoter& quote, Violations& violations,
                    const std::string& scrubbed_rows = {}) {
    const Visibility visibility =
        scrubbed_rows.empty() ? Visibility::kLatest : Visibility::kRunSnapshot;
    const std::string where = "table \"" + source_schema + "." + table.table->name + "\"";
    TableOwner owner = OwnerOf(*table.table, source_schema);
    // Generated columns first: the checks and indexes below compute them too.
    for (const ColumnInfo* column : GeneratedToEvaluate(table)) {
        std::vector<Row> rows = db.QueryAsOwnerExplained(
            owner, EvaluateGenerated(build_schema, *table.table, *column, quote, scrubbed_rows),
            visibility,
            Explain("generated column \"" + column->name + "\" of " + where +
                        " cannot be computed from the faked values",
                    ScrubbedAmong(table, {column->name})));
        if (column->not_null && !rows.empty() && rows[0][0] && *rows[0][0] == "t")
            violations.not_null.push_back("Generated column \"" + column->name + "\" of " + where +
                                          " is NOT NULL but comes out NULL for faked values.");
    }
    std::vector<const CheckConstraint*> checks = ChecksToVerify(table, catalog);
    // An error a CHECK raises stays as it is: its context names the owner
    // whose code raised it.
    if (!checks.empty()) {
        std::vector<Row> rows = db.QueryAsOwner(
            owner, FindCheckViolations(build_schema, *table.table, checks, quote, scrubbed_rows),
            visibility);
        for (size_t i = 0; i < checks.size(); ++i)
            if (!rows.empty() && rows[0][i] && *rows[0][i] == "t")
                violations.checks.push_back("Constraint \"" + checks[i]->name + "\" of " +
                                            TableOrPartition(checks[i]->partition, where) +
                                            " fails for faked values.");
    }
    for (const Index* index : UniqueIndexesToVerify(table, catalog)) {
        std::vector<Row> rows = db.QueryAsOwnerExplained(
            owner, FindDuplicates(build_schema, *table.table, *index, quote, scrubbed_rows),
            visibility,
            Explain("unique index \"" + index->name + "\" of " +
                        TableOrPartition(index->partition, where) +
                        " cannot be built on the faked values",
                    ScrubbedAmong(table, index->ColumnsRead())));
        if (!rows.empty() && rows[0][0] && *rows[0][0] == "t")
            violations.unique.push_back("Unique index \"" + index->name + "\" of " +
                                        TableOrPartition(index->partition, where) +
                                        " would hold duplicate faked values." +
                                        OneValueFakesNote(table, *index));
    }
    for (const Index* index : IndexesToEvaluate(table, catalog))
        db.QueryAsOwnerExplained(
            owner, EvaluateIndex(build_schema, *table.table, *index, quote, scrubbed_rows),
            visibility,
            Explain("index \"" + index->name + "\" of " +
                        TableOrPartition(index->partition, where) +
                        " cannot be built on the faked values",
                    ScrubbedAmong(table, index->ColumnsRead())));
}

// Fails the run, before anything commits, naming every violated constraint.
void ThrowIfViolated(const Violations& violations) {
    struct Kind {
        const std::vector<std::string>* lines;
        const char* sqlstate;
        const char* name;
    };
    std::vector<std::string> lines, names;
    std::string code;
    for (const Kind& kind :
         {Kind{&violations.unique, "23505", "unique"}, Kind{&violations.checks, "23514", "check"},
          Kind{&violations.not_null, "23502", "not-null"}}) {
        if (kind.lines->empty()) continue;
        lines.insert(lines.end(), kind.lines->begin(), kind.lines->end());
        names.push_back(kind.name);
        code = code.empty() ? kind.sqlstate : "23000";
    }
    if (lines.empty()) return;
    throw ScrubError(
        code, "the scrubbed copy would violate " + JoinLines(names, " and ") + " constraints",
        JoinLines(lines),
        "Keep the columns these constraints read verbatim if they are safe, or "
        "copy the table without rows ([]).");
}

void Run(Database& db, const std::string& sql) { db.Execute({sql, {}}, Visibility::kLatest); }

// The allowlist with its names in the server's encoding: parsed as UTF-8,
// then each name (and an error's text) converted back.
Allowlist ParseAllowlistInServerEncoding(const RunOptions& options) {
    if (!options.to_utf8 || !options.from_utf8)
        return ParseAllowlist(options.allowlist_json, options.source_schema);
    Allowlist allowlist;
    try {
        allowlist = ParseAllowlist(options.to_utf8(options.allowlist_json),
                                   options.to_utf8(options.source_schema));
    } catch (const ScrubError& error) {
        ErrorReport report = error.report();
        report.message = options.from_utf8(report.message);
        report.detail = options.from_utf8(report.detail);
        report.hint = options.from_utf8(report.hint);
        throw ScrubError(report);
    }
    for (std::string& schema : allowlist.schemas) schema = options.from_utf8(schema);
    for (AllowlistEntry& entry : allowlist.entries) {
        entry.key = options.from_utf8(entry.key);
        entry.schema = options.from_utf8(entry.schema);
        entry.table = options.from_utf8(entry.table);
        for (std::string& column : entry.columns) column = options.from_utf8(column);
        entry.where = options.from_utf8(entry.where);
        for (ColumnRule& rule : entry.rules) {
            rule.sql = options.from_utf8(rule.sql);
            rule.why = options.from_utf8(rule.why);
            if (rule.constant) rule.constant = options.from_utf8(*rule.constant);
            for (std::string& path : rule.json_keep) path = options.from_utf8(path);
        }
    }
    return allowlist;
}

// One source schema's scratch schema: built under a random name, then
// renamed to `name` (ScratchSchemaName) at the swap.
struct Scratch {
    std::string source;
    std::string name;
    std::string build;
};

// Who holds schema `name`: nobody (it does not exist), the caller, or
// another role.
struct SchemaHolder {
    bool exists = false;
    bool caller = false;
    std::string owner;
};

SchemaHolder HolderOf(Database& db, const std::string& name) {
    Statement probe{
        "SELECT pg_catalog.pg_get_userbyid(n.nspowner),"
        " n.nspowner OPERATOR(pg_catalog.=) (SELECT r.oid FROM pg_catalog.pg_roles r"
        "   WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER)"
        " FROM pg_catalog.pg_namespace n WHERE n.nspname OPERATOR(pg_catalog.=) $1",
        {}};
    probe.Bind(name);
    std::vector<Row> rows = db.Query(probe, Visibility::kLatest);
    if (rows.empty()) return {};
    return {true, rows[0][1].value_or("") == "t", rows[0][0].value_or("")};
}

// The scratch schemas of other source schemas that the run which built
// `target` recorded in its manifest, each under the name this target
// gives it (anything else recorded there is not one of ours, whoever
// wrote it). None for a manifest older than the columns that record them.
std::vector<std::string> EarlierScratchSchemas(Database& db, const std::string& target,
                                               const IdentifierQuoter& quote) {
    Statement recorded{
        "SELECT pg_catalog.count(*) FROM pg_catalog.pg_attribute a"
        " JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) a.attrelid"
        " JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
        " WHERE n.nspname OPERATOR(pg_catalog.=) $1 AND c.relname OPERATOR(pg_catalog.=) $2"
        " AND c.relkind OPERATOR(pg_catalog.=) 'r' AND NOT a.attisdropped"
        " AND a.attname OPERATOR(pg_catalog.=) ANY (ARRAY['source_schema', 'scratch_schema'])",
        {}};
    recorded.Bind(target);
    recorded.Bind(std::string(kManifestTablesTable));
    std::vector<std::string> names;
    if (FirstValue(db, recorded, Visibility::kLatest) != "2") return names;
    Statement pairs{"SELECT DISTINCT t.source_schema, t.scratch_schema FROM ONLY " +
                        QualifiedName(quote, target, kManifestTablesTable) + " t",
                    {}};
    for (const Row& row : db.Query(pairs, Visibility::kLatest)) {
        if (!row[0] || !row[1] || *row[1] == target) continue;
        try {
            if (ScratchSchemaName(target, *row[0]) == *row[1]) names.push_back(*row[1]);
        } catch (const ScrubError&) {
            // a name too long to be one this target builds
        }
    }
    return names;
}

bool Contains(const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

// Checks every schema the allowlist names besides the source schema, names
// the scratch schema of each, and lists the scratch schemas of the earlier
// run into the target that the swap drops: those replaced and those no
// longer needed. Refuses a scratch schema name that is taken by a schema
// scrub did not build for this target, or owned by another role, or that
// objects outside it depend on.
std::vector<Scratch> PlanScratchSchemas(Database& db, const RunOptions& options,
                                        const Allowlist& allowlist, bool replace,
                                        const IdentifierQuoter& quote,
                                        std::vector<std::string>& to_drop) {
    const std::string& target = options.target_schema;
    std::vector<std::string> earlier;
    if (replace) earlier = EarlierScratchSchemas(db, target, quote);
    if (Contains(earlier, options.source_schema))
        throw ScrubError(sqlstate::kInvalidParameterValue,
                         "source_schema \"" + options.source_schema +
                             "\" is a scratch schema of target schema \"" + target + "\"",
                         "The run into \"" + target + "\" replaces it.",
                         "Pass the schema it was built from as source_schema.");
    std::vector<Scratch> scratches{{options.source_schema, target, ""}};
    for (const std::string& schema : allowlist.schemas) {
        if (schema == options.source_schema) continue;
        std::string key;
        for (const AllowlistEntry& entry : allowlist.entries)
            if (entry.schema == schema && key.empty()) key = entry.key;
        const std::string names = "allowlist key \"" + key + "\" names a table of ";
        if (schema.rfind("pg_", 0) == 0 || schema == "information_schema")
            throw ScrubError("42939", names + "system schema \"" + schema + "\"", "",
                             "Name tables of the application's schemas only.");
        if (schema.size() > kMaxIdentifierBytes)
            throw ScrubError(sqlstate::kNameTooLong, names + "a schema whose name is too long",
                             "Schema names are at most 63 bytes; this one has " +
                                 std::to_string(schema.size()) + ".",
                             "Correct the schema name in the key.");
        if (schema == target)
            throw ScrubError(sqlstate::kInvalidParameterValue,
                             names + "the target schema \"" + target + "\"", "",
                             "scrub writes into a schema of its own and never reads from it.");
        if (Contains(earlier, schema))
            throw ScrubError(sqlstate::kInvalidParameterValue,
                             names + "schema \"" + schema +
                                 "\", a scratch schema of target schema \"" + target + "\"",
                             "The run into \"" + target + "\" replaces it.",
                             "Name the tables of the schema it was built from.");
        if (!HolderOf(db, schema).exists)
            throw ScrubError(sqlstate::kInvalidSchemaName,
                             names + "schema \"" + schema + "\", which does not exist", "",
                             "Correct the schema name in the key, or remove the entry.");
        scratches.push_back({schema, ScratchSchemaName(target, schema), ""});
    }
    for (const Scratch& scratch : scratches) {
        if (scratch.name == target) continue;
        if (Contains(allowlist.schemas, scratch.name) || scratch.name == options.source_schema)
            throw ScrubError(sqlstate::kDuplicateSchema,
                             "the scratch schema of schema \"" + scratch.source +
                                 "\" would be schema \"" + scratch.name + "\", which the run reads",
                             "A run into target schema \"" + target +
                                 "\" builds the copy of schema \"" + scratch.source +
                                 "\" in schema \"" + scratch.name + "\".",
                             "Choose another target_schema.");
        SchemaHolder holder = HolderOf(db, scratch.name);
        if (!holder.exists) continue;
        if (!Contains(earlier, scratch.name))
            throw ScrubError(
                sqlstate::kDuplicateSchema,
                "schema \"" + scratch.name +
                    "\" exists and was not created by scrub for target \"" + target + "\"",
                "A run into target schema \"" + target + "\" builds the copy of schema \"" +
                    scratch.source + "\" in schema \"" + scratch.name + "\"; the manifest of \"" +
                    target + "\" does not list that schema.",
                "Choose another target_schema, or drop or rename schema \"" + scratch.name +
                    "\" yourself.");
    }
    for (const std::string& name : earlier) {
        SchemaHolder holder = HolderOf(db, name);
        if (!holder.exists) continue;
        if (!holder.caller)
            throw ScrubError(
                sqlstate::kInsufficientPrivilege,
                "schema \"" + name + "\" is not owned by the role running scrub_to_schema",
                "Schema \"" + name + "\" is a scratch schema of target schema \"" + target +
                    "\", owned by role \"" + holder.owner +
                    "\"; a run replaces only scratch schemas that the role running it owns.",
                "Choose another target_schema, or, if that schema holds nothing but an earlier "
                "scrubbed copy, drop it yourself or have its owner run scrub_to_schema.");
        CheckNothingOutsideDepends(db, name);
        to_drop.push_back(name);
    }
    return scratches;
}

const Scratch& ScratchOf(const std::vector<Scratch>& scratches, const std::string& schema) {
    for (const Scratch& scratch : scratches)
        if (scratch.source == schema) return scratch;
    throw ScrubError(sqlstate::kInternalError, "no scratch schema for schema \"" + schema + "\"");
}

// Whether the copy calls scrub_hash for some column.
bool HashesAnyColumn(const Plan& plan) {
    for (const TablePlan& table : plan.tables)
        for (const ColumnPlan& column : table.columns)
            if (table.copy_rows && !column.keep && column.rule.kind == RuleKind::kHash) return true;
    return false;
}

}  // namespace

std::vector<TableReport> RunScrub(Database& db, const RunOptions& options) {
    CheckSchemaName(options.source_schema, "source_schema");
    CheckSchemaName(options.target_schema, "target_schema");
    if (options.source_schema == options.target_schema)
        throw ScrubError(sqlstate::kInvalidParameterValue,
                         "target_schema must differ from source_schema",
                         "Both are \"" + options.source_schema + "\".",
                         "scrub writes into a schema of its own and never into the source.");
    Allowlist allowlist = ParseAllowlistInServerEncoding(options);
    IdentifierQuoter quote = [&db](const std::string& name) { return db.QuoteIdentifier(name); };

    std::string started_at =
        FirstValue(db, {"SELECT CAST(pg_catalog.clock_timestamp() AS pg_catalog.text)", {}},
                   Visibility::kLatest);
    std::string caller =
        FirstValue(db, {"SELECT CAST(CURRENT_USER AS pg_catalog.text)", {}}, Visibility::kLatest);
    // One lock for the target and every scratch schema named after it.
    LockTarget(db, options.target_schema);
    CheckSourceSchema(db, options.source_schema);
    bool replace = TargetExists(db, options.target_schema);
    if (replace) CheckNothingOutsideDepends(db, options.target_schema);
    std::vector<std::string> earlier_scratches;
    std::vector<Scratch> scratches =
        PlanScratchSchemas(db, options, allowlist, replace, quote, earlier_scratches);

    db.ReportActivity("reading the catalog of schema " + JoinLines(allowlist.schemas, ", "));
    SourceCatalog catalog = ReadSourceCatalog(db, allowlist.schemas);
    Plan plan = BuildPlan(allowlist, catalog, options.source_schema, options.strict);
    CheckSequencesReadable(db, catalog);

    // Every table of every schema in one LOCK statement, then one snapshot.
    db.ReportActivity("locking source tables");
    Statement lock = LockSourceTables(plan, quote);
    if (!lock.sql.empty()) db.Execute(lock, Visibility::kLatest);
    // A schema change that committed while LOCK TABLE waited (ALTER TABLE
    // ... ADD COLUMN, say) is missing from the catalog read above, and the
    // copy would silently lack it. Now that no copied table can change,
    // read the catalog again and plan from that; the tables to lock must
    // be those just locked.
    SourceCatalog locked_catalog = ReadSourceCatalog(db, allowlist.schemas);
    Plan locked_plan = BuildPlan(allowlist, locked_catalog, options.source_schema, options.strict);
    if (LockSourceTables(locked_plan, quote).sql != lock.sql)
        throw ScrubError(sqlstate::kSerializationFailure,
                         "source tables changed while scrub_to_schema waited for their locks", "",
                         "Run scrub_to_schema again.");
    plan = std::move(locked_plan);        // points into locked_catalog's table array,
    catalog = std::move(locked_catalog);  // which moving leaves in place
    db.TakeRunSnapshot();
    // The run snapshot as pg_current_snapshot() shows it (xmin:xmax:xip),
    // for the manifest and the report: which transactions the copy saw.
    std::string run_snapshot =
        FirstValue(db, {"SELECT CAST(pg_catalog.pg_current_snapshot() AS pg_catalog.text)", {}},
                   Visibility::kRunSnapshot);
    CheckTablesMatchSnapshot(db, plan, catalog);
    CheckCallerMayReadAll(db, plan);
    CheckPartitionTreesHaveOneOwner(db, plan);
    // The run's permit to hash, only if it hashes.
    std::string hash_token;
    if (HashesAnyColumn(plan) && options.open_hash_permit) hash_token = options.open_hash_permit();
    db.ReportActivity("checking the allowlist's rules");
    CheckRulesOnServer(db, plan, options.extension_schema, quote, hash_token);
    db.ReportActivity("checking foreign keys");
    CheckForeignKeys(db, plan, catalog, options, quote);
    CheckFakesFit(db, plan, options.source_schema, quote);
    CheckRealisticFit(db, plan, catalog, quote);

    std::string signature_function = SignatureFunction(db, quote);
    for (Scratch& scratch : scratches) scratch.build = CreateBuildSchema(db, quote);
    const std::string& build_schema = scratches.front().build;  // the target's: the manifest
    for (const Statement& statement : CreateManifest(build_schema, quote))
        db.Execute(statement, Visibility::kLatest);
    // Sequences are read with the caller's rights, so before any table's
    // owner has had code run: that code could otherwise swap a sequence
    // for a view of the same name, whose query would then run as the
    // caller.
    db.ReportActivity("recording sequences");
    RecordSequences(db, catalog.sequences, build_schema, quote);

    std::vector<TableReport> reports;
    Violations violations;
    int failure_point = db.FailAfterTables();
    for (const TablePlan& table : plan.tables) {
        const std::string& schema = table.table->schema;
        const Scratch& scratch = ScratchOf(scratches, schema);
        if (!table.copy_rows) {
            RecordTable(db, build_schema, quote, signature_function, table, nullptr, scratch.name);
            continue;
        }
        if (failure_point >= 0 && static_cast<int>(reports.size()) >= failure_point)
            throw std::runtime_error("injected failure after " + std::to_string(reports.size()) +
                                     " tables (scrub.debug_fail_after_tables)");
        db.ReportActivity("copying table " + schema + "." + table.table->name);
        db.Execute(CreateScratchTable(table, scratch.build, quote), Visibility::kLatest);
        CheckScratchColumnsMatch(db, table, schema, scratch.build);
        const std::string& owner = table.table->owner;
        bool grant = owner != caller;
        if (grant)
            for (const Statement& statement :
                 ScratchTableAccess(true, scratch.build, table.table->name, owner, quote))
                db.Execute(statement, Visibility::kLatest);
        reports.push_back(CopyTable(db, table, options, scratch.build, quote, hash_token));
        MoveSequencesPastCopy(db, table, catalog, scratch.build, build_schema, quote);
        FindViolations(db, table, catalog, schema, scratch.build, quote, violations);
        CheckHashCollisions(db, table, scratch.build, quote);
        reports.back().leaks = CountLeaks(db, table, scratch.build, quote);
        const TableReport& report = reports.back();
        if (grant) {
            for (const Statement& statement :
                 ScratchTableAccess(false, scratch.build, table.table->name, owner, quote))
                db.Execute(statement, Visibility::kLatest);
            CheckNoRowsAdded(db, table, report, schema, scratch.build, quote);
        }
        RecordTable(db, build_schema, quote, signature_function, table, &report, scratch.name);
        db.Log("scrub: copied table " + schema + "." + table.table->name + ": " +
               std::to_string(report.rows) + " rows, " + std::to_string(report.columns_kept) +
               " columns kept, " + std::to_string(report.columns_scrubbed) + " scrubbed, " +
               FormatMilliseconds(report.milliseconds) + " ms");
    }

    ThrowIfViolated(violations);
    if (options.leak_check) ThrowIfLeaked(reports);
    db.ReportActivity("checking foreign keys of filtered tables and hashed keys");
    CheckFilteredForeignKeys(
        db, plan, catalog,
        [&](const std::string& schema) { return ScratchOf(scratches, schema).build; }, caller,
        quote);
    for (const Scratch& scratch : scratches)
        CheckNothingMadeOnCopy(db, scratch.build, scratch.name);

    db.ReportActivity("recording the manifest");
    RecordRun(db, options, build_schema, quote, started_at, run_snapshot);

    // The swap: within this transaction the old schemas go and the new ones
    // take their names, so readers see either the old or the new, never a
    // mix. The target first: an export reading it holds its manifest
    // locked, and waits for nothing this transaction holds.
    if (replace) Run(db, "DROP SCHEMA " + quote(options.target_schema) + " CASCADE");
    for (const std::string& name : earlier_scratches)
        Run(db, "DROP SCHEMA " + quote(name) + " CASCADE");
    for (const Scratch& scratch : scratches)
        Run(db, "ALTER SCHEMA " + quote(scratch.build) + " RENAME TO " + quote(scratch.name));
    db.Log("scrub: built schema " + options.target_schema + " from " +
           JoinLines(allowlist.schemas, ", ") + " (" + std::to_string(reports.size()) +
           " tables copied with rows, " + std::to_string(plan.tables.size() - reports.size()) +
           " structure only)");
    return reports;
}

std::vector<PlanRow> PlanScrub(Database& db, const RunOptions& options) {
    CheckSchemaName(options.source_schema, "source_schema");
    Allowlist allowlist = ParseAllowlistInServerEncoding(options);
    IdentifierQuoter quote = [&db](const std::string& name) { return db.QuoteIdentifier(name); };
    CheckSourceSchema(db, options.source_schema);

    // A key naming a system schema is a problem of its own (the run
    // refuses it, 42939); its schema is not read.
    Problems problems;
    Allowlist covered;
    for (const std::string& schema : allowlist.schemas)
        if (schema.rfind("pg_", 0) != 0 && schema != "information_schema")
            covered.schemas.push_back(schema);
    for (AllowlistEntry& entry : allowlist.entries) {
        if (Contains(covered.schemas, entry.schema))
            covered.entries.push_back(std::move(entry));
        else
            problems.push_back({entry.schema, entry.table, "",
                                "Key \"" + entry.key + "\" names a table of system schema \"" +
                                    entry.schema + "\"."});
    }
    SourceCatalog catalog = ReadSourceCatalog(db, covered.schemas);
    Plan plan = BuildPlan(covered, catalog, options.source_schema, options.strict, &problems);

    // The checks that read the source, as the run makes them after its
    // locks (none here) and its snapshot: rights first, since the others
    // run as each table's owner; then the allowlist's expressions (each
    // in a subtransaction, its error a problem of its entry) and the row
    // counts and foreign-key probes.
    db.TakeRunSnapshot();
    Problems rights;
    CheckCallerMayReadAll(db, plan, &rights);
    CheckPartitionTreesHaveOneOwner(db, plan, &rights);
    problems.insert(problems.end(), rights.begin(), rights.end());
    if (rights.empty()) {
        // The key check, with a token as the run's own (scrub.cpp).
        std::string hash_token;
        if (HashesAnyColumn(plan) && options.open_hash_permit)
            hash_token = options.open_hash_permit();
        Problems rules;
        CheckRulesOnServer(db, plan, options.extension_schema, quote, hash_token, &rules);
        problems.insert(problems.end(), rules.begin(), rules.end());
        // The probes below evaluate the filters and expressions just
        // checked. With any of them broken, or refused because it would run
        // another role's code, none is evaluated again: the plan reports
        // the expressions' problems only, and the probes wait for a plan
        // whose expressions are sound.
        if (rules.empty()) {
            CheckForeignKeys(db, plan, catalog, options, quote, &problems);
            CheckFakesFit(db, plan, options.source_schema, quote, &problems);
            CheckRealisticFit(db, plan, catalog, quote, &problems);
        }
    }

    std::vector<PlanRow> rows;
    std::vector<bool> used(problems.size(), false);
    // The problems of (schema, table, column), joined; marks them used.
    auto problems_of = [&](const std::string& schema, const std::string& table,
                           const std::string& column) -> std::optional<std::string> {
        std::vector<std::string> texts;
        for (size_t i = 0; i < problems.size(); ++i)
            if (!used[i] && problems[i].schema == schema && problems[i].table == table &&
                problems[i].column == column) {
                used[i] = true;
                texts.push_back(problems[i].text);
            }
        if (texts.empty()) return std::nullopt;
        return JoinLines(texts, "\n");
    };
    auto name_of = [&](const std::string& schema, const std::string& table) {
        return schema == options.source_schema ? table
                                               : TableKeyOf(schema, table, options.source_schema);
    };
    auto text = [](const std::string& value) -> std::optional<std::string> {
        if (value.empty()) return std::nullopt;
        return value;
    };
    for (const TablePlan& table : plan.tables) {
        const std::string& schema = table.table->schema;
        const std::string& name = table.table->name;
        // The table's own row: its problems, and a row filter (what the
        // artifact's header calls "filtered").
        std::optional<std::string> problem = problems_of(schema, name, "");
        bool filtered = table.copy_rows && !table.row_filter.empty();
        if (problem || filtered)
            rows.push_back({name_of(schema, name), std::nullopt, std::nullopt,
                            filtered ? text("rows where") : std::nullopt,
                            filtered ? text("row filter") : std::nullopt,
                            filtered ? text(table.row_filter) : std::nullopt, problem});
        for (const ColumnInfo& column : table.table->columns) {
            Decision decision = DecisionOf(table, column);
            rows.push_back({name_of(schema, name), column.name, column.type_sql,
                            text(decision.decision), text(decision.reason), text(decision.why),
                            problems_of(schema, name, column.name)});
        }
    }
    // What no planned column holds: tables and columns that do not exist,
    // partitions and other relations named by a key.
    for (size_t i = 0; i < problems.size(); ++i) {
        if (used[i]) continue;
        const Problem& problem = problems[i];
        rows.push_back({name_of(problem.schema, problem.table), text(problem.column), std::nullopt,
                        std::nullopt, std::nullopt, std::nullopt,
                        problems_of(problem.schema, problem.table, problem.column)});
    }
    return rows;
}

namespace {

// The schemas an export reads besides the source schema: each must exist
// and be an application's schema (a run checks the same in
// PlanScratchSchemas, with the target's names besides).
void CheckExportSchemas(Database& db, const RunOptions& options, const Allowlist& allowlist) {
    for (const std::string& schema : allowlist.schemas) {
        if (schema == options.source_schema) continue;
        std::string key;
        for (const AllowlistEntry& entry : allowlist.entries)
            if (entry.schema == schema && key.empty()) key = entry.key;
        const std::string names = "allowlist key \"" + key + "\" names a table of ";
        if (schema.rfind("pg_", 0) == 0 || schema == "information_schema")
            throw ScrubError("42939", names + "system schema \"" + schema + "\"", "",
                             "Name tables of the application's schemas only.");
        if (!HolderOf(db, schema).exists)
            throw ScrubError(sqlstate::kInvalidSchemaName,
                             names + "schema \"" + schema + "\", which does not exist", "",
                             "Correct the schema name in the key, or remove the entry.");
    }
}

uint64_t EstimatedBytes(Database& db, const TableInfo& table) {
    if (!table.partitioned) {
        Statement size{
            "SELECT pg_catalog.pg_relation_size(CAST(CAST($1 AS pg_catalog.oid) AS "
            "pg_catalog.regclass))",
            {}};
        size.Bind(std::to_string(table.oid));
        return std::stoull(FirstValue(db, size, Visibility::kLatest));
    }
    Statement size{
        "SELECT COALESCE(pg_catalog.sum(pg_catalog.pg_relation_size(t.relid)), 0)"
        " FROM pg_catalog.pg_partition_tree(CAST(CAST($1 AS pg_catalog.oid) AS "
        "pg_catalog.regclass)) t",
        {}};
    size.Bind(std::to_string(table.oid));
    return std::stoull(FirstValue(db, size, Visibility::kLatest));
}

// The SELECTs of an export leave the extension for a client's COPY, so
// they carry no run token (pg_functions.h): their scrub_hash calls are of
// the superuser-only form, which the checks below evaluate as each
// table's owner, as a client's COPY evaluates them as its role. So hash
// rules are exported only by a superuser owning the table (what
// scrub-dump streams); everyone else goes through scrub_to_schema.
void CheckExportMayHash(Database& db, const Plan& plan, const std::string& caller) {
    std::vector<std::string> tables;
    for (const TablePlan& table : plan.tables) {
        bool hashes = false;
        for (const ColumnPlan& column : table.columns)
            hashes = hashes || (!column.keep && column.rule.kind == RuleKind::kHash);
        if (!table.copy_rows || !hashes) continue;
        tables.push_back(table.table->schema + "." + table.table->name);
        if (table.table->owner != caller)
            throw ScrubError(sqlstate::kInsufficientPrivilege,
                             "an export computes hash rules only for tables its role owns",
                             "Table \"" + tables.back() +
                                 "\" has hash rules and is owned by role \"" + table.table->owner +
                                 "\".",
                             "Run scrub_to_schema (scrub-dump --via-schema), which computes them "
                             "with the run's own permit.");
    }
    if (tables.empty()) return;
    std::string superuser = FirstValue(
        db,
        {"SELECT CAST(r.rolsuper AS pg_catalog.text) FROM pg_catalog.pg_roles AS r WHERE r.rolname "
         "OPERATOR(pg_catalog.=) CURRENT_USER",
         {}},
        Visibility::kLatest);
    if (superuser != "true")
        throw ScrubError(sqlstate::kInsufficientPrivilege,
                         "an export computes hash rules only as a superuser",
                         "Table \"" + tables.front() +
                             "\" has hash rules; outside scrub_to_schema only a superuser may "
                             "call scrub_hash.",
                         "Run scrub_to_schema (scrub-dump --via-schema), which computes them "
                         "with the run's own permit.");
}

}  // namespace

ExportResult ExportScrub(Database& db, const RunOptions& options, ExportMode mode) {
    CheckSchemaName(options.source_schema, "source_schema");
    Allowlist allowlist = ParseAllowlistInServerEncoding(options);
    IdentifierQuoter quote = [&db](const std::string& name) { return db.QuoteIdentifier(name); };
    std::string caller =
        FirstValue(db, {"SELECT CAST(CURRENT_USER AS pg_catalog.text)", {}}, Visibility::kLatest);
    CheckSourceSchema(db, options.source_schema);
    CheckExportSchemas(db, options, allowlist);

    db.ReportActivity("reading the catalog of schema " + JoinLines(allowlist.schemas, ", "));
    SourceCatalog catalog = ReadSourceCatalog(db, allowlist.schemas);
    Plan plan = BuildPlan(allowlist, catalog, options.source_schema);
    CheckSequencesReadable(db, catalog);
    ExportResult result;
    if (mode == ExportMode::kSequences) {
        LockSequences(db, catalog.sequences);
        for (const SequenceInfo& sequence : catalog.sequences) {
            Statement read{"SELECT CAST(last_value AS pg_catalog.text), is_called FROM " +
                               QualifiedName(quote, sequence.schema, sequence.name),
                           {}};
            std::vector<Row> rows = db.Query(read, Visibility::kLatest);
            if (rows.empty()) continue;
            result.sequences.push_back({sequence.schema, sequence.name, rows[0][0].value_or("0"),
                                        rows[0][1].value_or("") == "t"});
        }
        return result;
    }

    // As a run: lock, read the catalog again under the locks, and check
    // that the transaction's snapshot (taken before the locks, at the
    // first statement) still shows every table as it is.
    db.ReportActivity("locking source tables");
    Statement lock = LockSourceTables(plan, quote);
    if (!lock.sql.empty()) db.Execute(lock, Visibility::kLatest);
    SourceCatalog locked_catalog = ReadSourceCatalog(db, allowlist.schemas);
    Plan locked_plan = BuildPlan(allowlist, locked_catalog, options.source_schema);
    if (LockSourceTables(locked_plan, quote).sql != lock.sql)
        throw ScrubError(sqlstate::kSerializationFailure,
                         "source tables changed while scrub-dump waited for their locks", "",
                         "Run scrub-dump again.");
    plan = std::move(locked_plan);
    catalog = std::move(locked_catalog);
    db.TakeRunSnapshot();
    CheckTablesMatchSnapshot(db, plan, catalog);
    CheckCallerMayReadAll(db, plan);
    CheckPartitionTreesHaveOneOwner(db, plan);

    std::map<const TablePlan*, std::string> selects;
    for (const TablePlan& table : plan.tables) {
        if (!table.copy_rows) continue;
        Statement inlined;
        inlined.inline_values = true;
        selects[&table] = ScrubbingSelect(table, table.table->schema, quote,
                                          options.extension_schema, inlined, true);
    }
    if (mode == ExportMode::kCheck) {
        CheckExportMayHash(db, plan, caller);
        db.ReportActivity("checking the allowlist's rules");
        CheckRulesOnServer(db, plan, options.extension_schema, quote);
        db.ReportActivity("checking foreign keys");
        CheckForeignKeys(db, plan, catalog, options, quote);
        CheckFakesFit(db, plan, options.source_schema, quote);
        CheckRealisticFit(db, plan, catalog, quote);
        Violations violations;
        for (const TablePlan& table : plan.tables) {
            if (!table.copy_rows) continue;
            const std::string& schema = table.table->schema;
            db.ReportActivity("checking table " + schema + "." + table.table->name);
            FindViolations(db, table, catalog, schema, {}, quote, violations, selects[&table]);
            CheckHashCollisions(db, table, {}, quote, selects[&table]);
        }
        ThrowIfViolated(violations);
        db.ReportActivity("checking foreign keys of filtered tables");
        CheckFilteredForeignKeys(
            db, plan, catalog, [](const std::string&) { return std::string(); }, caller, quote,
            [&selects](const TablePlan& table) { return selects[&table]; });
        return result;
    }
    for (const TablePlan& table : plan.tables) {
        if (!table.copy_rows) continue;
        ExportTable out;
        out.schema = table.table->schema;
        out.name = table.table->name;
        for (const ColumnPlan& column : table.columns) {
            out.columns.push_back(column.column.name);
            out.uses_hash = out.uses_hash || (!column.keep && column.rule.kind == RuleKind::kHash);
        }
        out.select_sql = selects[&table];
        out.owner = table.table->owner;
        out.owned_by_caller = table.table->owner == caller;
        out.estimated_bytes = EstimatedBytes(db, *table.table);
        result.tables.push_back(std::move(out));
    }
    return result;
}

}  // namespace scrub

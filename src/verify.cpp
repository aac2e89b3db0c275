// The checks a run makes after copying, on the scratch tables (and an
// export's, on the scrubbing SELECTs): the copy holds what it should, and
// a restore of it would build every constraint and index.
#include "verify.h"

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "db_util.h"
#include "error.h"
#include "fake.h"
#include "preflight.h"
#include "sqlgen.h"
#include "sqlgen_run.h"

#include "pure_only.h"  // last: no PostgreSQL header above

namespace scrub {

// Code that ran as the table's owner while its rows were copied and
// checked (a domain's CHECK, say) held INSERT on the scratch table, which
// the copy needs, and could have added rows of its own: the scratch table,
// counted with the caller's rights once the grant is gone, must hold
// exactly the rows the copy wrote.
void CheckNoRowsAdded(Database& db, const TablePlan& table, const TableReport& report,
                      const std::string& source_schema, const std::string& build_schema,
                      const IdentifierQuoter& quote) {
    uint64_t held = std::stoull(FirstValue(
        db, CountScratchRows(build_schema, table.table->name, quote), Visibility::kLatest));
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

// The scratch table is created from the column types' names, read from
// the catalog earlier; a type renamed and another made under its name
// since (by a table owner's code that ran meanwhile, or by another
// session) would give the scratch column another type, and kept values
// would pass through an assignment cast into it, silently changed. Each
// scratch column must have exactly its source column's type and modifier.
void CheckScratchColumnsMatch(Database& db, const TablePlan& table,
                              const std::string& source_schema, const std::string& build_schema) {
    Statement differing =
        ScratchColumnsDiffering(build_schema, table.table->name, table.table->oid);
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
    throw ScrubError(sqlstate::kIntegrityConstraintViolation, "scrubbed values equal source values",
                     JoinLines(leaked),
                     "Give these columns a rule that does not copy their values (fake, a "
                     "realistic rule, hash), or run without leak_check, which records the "
                     "counts in _scrub_tables.leaked only. Nothing was changed.");
}
namespace {

// Whether any of `columns` of the table is hashed.
bool AnyHashed(const TablePlan& table, const std::vector<std::string>& columns) {
    for (const ColumnPlan& column : table.columns)
        if (column.Hashed() &&
            std::find(columns.begin(), columns.end(), column.column.name) != columns.end())
            return true;
    return false;
}

}  // namespace

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
    const std::function<std::string(const TablePlan& table)>& rows_of) {
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
                                "\" and would use " + object.object + WhyForeign(object));
            throw ScrubError(
                sqlstate::kInsufficientPrivilege,
                "the check of " + constraint + " would run code of another role", JoinLines(lines),
                "scrub checks that the copied rows of a filtered or hashed foreign key still "
                "match; the check calls the constraint's equality operators and the casts between "
                "its columns' types, so a superuser must own them, in a schema a superuser owns "
                "(keep the key columns of the same built-in type), or list the referencing table "
                "with [] or the referenced "
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
            sqlstate::kForeignKeyViolation, "the scrubbed copy would break foreign keys",
            JoinLines(violations),
            "Filter the referencing tables so that they keep only rows whose "
            "referenced rows are kept (\"rows\": {\"where\": \"... IN (SELECT ...)\"}), "
            "or widen the referenced table's filter. Where the key columns are hashed, keep "
            "them instead, or report this as a bug in scrub: values the constraint holds equal "
            "got different pseudonyms.");
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
namespace {

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

}  // namespace

// `rows`: the checks read this SELECT's rows (an export's typed
// ScrubbingSelect, under the run snapshot) instead of the scratch table.
void FindViolations(Database& db, const TablePlan& table, const SourceCatalog& catalog,
                    const std::string& source_schema, const std::string& build_schema,
                    const IdentifierQuoter& quote, Violations& violations,
                    const std::string& scrubbed_rows) {
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
    for (const Kind& kind : {Kind{&violations.unique, sqlstate::kUniqueViolation, "unique"},
                             Kind{&violations.checks, sqlstate::kCheckViolation, "check"},
                             Kind{&violations.not_null, sqlstate::kNotNullViolation, "not-null"}}) {
        if (kind.lines->empty()) continue;
        lines.insert(lines.end(), kind.lines->begin(), kind.lines->end());
        names.push_back(kind.name);
        code = code.empty() ? kind.sqlstate : sqlstate::kIntegrityConstraintViolation;
    }
    if (lines.empty()) return;
    throw ScrubError(
        code, "the scrubbed copy would violate " + JoinLines(names, " and ") + " constraints",
        JoinLines(lines),
        "Keep the columns these constraints read verbatim if they are safe, or "
        "copy the table without rows ([]).");
}

void CheckCopiedEveryRow(const TableInfo& table, uint64_t source_rows, uint64_t copied) {
    if (copied == source_rows) return;
    throw ScrubError(sqlstate::kDataCorrupted,
                     "row count check failed for table \"" + table.schema + "." + table.name + "\"",
                     "The source has " + std::to_string(source_rows) +
                         " rows at the run snapshot, but " + std::to_string(copied) +
                         " were written to the scratch table.",
                     "Nothing was written. Report this as a bug in scrub.");
}

}  // namespace scrub

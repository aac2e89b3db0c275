// Checks a run makes before it writes anything.
#include "preflight.h"

#include <cstdint>
#include <vector>

#include "error.h"
#include "facts.h"
#include "fake.h"
#include "rules.h"
#include "sqlgen.h"

#include "pure_only.h"  // last: no PostgreSQL header above

namespace scrub {
namespace {

// Whether the object (d.classid, d.objid, d.objsubid) of a pg_depend row
// `d` lives in schema $1: an internal dependent (a TOAST table, say) is part
// of what it depends on; triggers, defaults, rules, policies and operator
// family members belong to their relation or family; default privileges
// to their schema; a TOAST table's index to the TOAST table (reached only
// through a table inside); every other catalog with a namespace column is covered
// by pg_identify_object(), which gives the schema name quoted. Objects
// with no schema (casts, extensions, event triggers, publications ...) are
// outside.
const char* kInTargetSql = R"SQL(
(d.deptype OPERATOR(pg_catalog.=) 'i' OR COALESCE(CASE d.classid
   WHEN CAST('pg_catalog.pg_trigger' AS pg_catalog.regclass) THEN
     (SELECT c.relnamespace FROM pg_catalog.pg_trigger x
        JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) x.tgrelid
       WHERE x.oid OPERATOR(pg_catalog.=) d.objid) OPERATOR(pg_catalog.=) (SELECT oid FROM target)
   WHEN CAST('pg_catalog.pg_attrdef' AS pg_catalog.regclass) THEN
     (SELECT c.relnamespace FROM pg_catalog.pg_attrdef x
        JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) x.adrelid
       WHERE x.oid OPERATOR(pg_catalog.=) d.objid) OPERATOR(pg_catalog.=) (SELECT oid FROM target)
   WHEN CAST('pg_catalog.pg_rewrite' AS pg_catalog.regclass) THEN
     (SELECT c.relnamespace FROM pg_catalog.pg_rewrite x
        JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) x.ev_class
       WHERE x.oid OPERATOR(pg_catalog.=) d.objid) OPERATOR(pg_catalog.=) (SELECT oid FROM target)
   WHEN CAST('pg_catalog.pg_policy' AS pg_catalog.regclass) THEN
     (SELECT c.relnamespace FROM pg_catalog.pg_policy x
        JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) x.polrelid
       WHERE x.oid OPERATOR(pg_catalog.=) d.objid) OPERATOR(pg_catalog.=) (SELECT oid FROM target)
   WHEN CAST('pg_catalog.pg_amop' AS pg_catalog.regclass) THEN
     (SELECT f.opfnamespace FROM pg_catalog.pg_amop x
        JOIN pg_catalog.pg_opfamily f ON f.oid OPERATOR(pg_catalog.=) x.amopfamily
       WHERE x.oid OPERATOR(pg_catalog.=) d.objid) OPERATOR(pg_catalog.=) (SELECT oid FROM target)
   WHEN CAST('pg_catalog.pg_amproc' AS pg_catalog.regclass) THEN
     (SELECT f.opfnamespace FROM pg_catalog.pg_amproc x
        JOIN pg_catalog.pg_opfamily f ON f.oid OPERATOR(pg_catalog.=) x.amprocfamily
       WHERE x.oid OPERATOR(pg_catalog.=) d.objid) OPERATOR(pg_catalog.=) (SELECT oid FROM target)
   WHEN CAST('pg_catalog.pg_default_acl' AS pg_catalog.regclass) THEN
     (SELECT x.defaclnamespace FROM pg_catalog.pg_default_acl x
       WHERE x.oid OPERATOR(pg_catalog.=) d.objid) OPERATOR(pg_catalog.=) (SELECT oid FROM target)
   ELSE (pg_catalog.pg_identify_object(d.classid, d.objid, d.objsubid)).schema
          OPERATOR(pg_catalog.=) ANY (ARRAY[pg_catalog.quote_ident($1), 'pg_toast'])
 END, false))
)SQL";

// Walks pg_depend from the schema through everything inside it (what DROP
// SCHEMA ... CASCADE would drop as part of the schema) and lists each
// dependency of an outside object on an inside one. A view is named
// rather than its _RETURN rule.
std::string OutsideDependentsSql() {
    return std::string(R"SQL(
WITH RECURSIVE target AS (
    SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname OPERATOR(pg_catalog.=) $1),
inside (classid, objid) AS (
    SELECT CAST('pg_catalog.pg_namespace' AS pg_catalog.regclass), t.oid FROM target t
  UNION
    SELECT d.classid, d.objid FROM inside i
      JOIN pg_catalog.pg_depend d ON d.refclassid OPERATOR(pg_catalog.=) i.classid
                                 AND d.refobjid OPERATOR(pg_catalog.=) i.objid
     WHERE )SQL") +
           kInTargetSql + R"SQL()
SELECT DISTINCT pg_catalog.concat(
           CASE WHEN d.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_rewrite' AS pg_catalog.regclass)
                 AND r.rulename OPERATOR(pg_catalog.=) '_RETURN'
                THEN pg_catalog.pg_describe_object(CAST('pg_catalog.pg_class' AS pg_catalog.regclass), r.ev_class, 0)
                ELSE pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid) END,
           ' depends on ',
           pg_catalog.pg_describe_object(d.refclassid, d.refobjid, d.refobjsubid), '.')
  FROM inside i
  JOIN pg_catalog.pg_depend d ON d.refclassid OPERATOR(pg_catalog.=) i.classid
                             AND d.refobjid OPERATOR(pg_catalog.=) i.objid
  LEFT JOIN pg_catalog.pg_rewrite r
         ON d.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_rewrite' AS pg_catalog.regclass)
        AND r.oid OPERATOR(pg_catalog.=) d.objid
 WHERE NOT )SQL" +
           kInTargetSql + R"SQL(
 ORDER BY 1
)SQL";
}

}  // namespace

void CheckNothingOutsideDepends(Database& db, const std::string& target) {
    Statement dependents{OutsideDependentsSql(), {}};
    dependents.Bind(target);
    std::vector<std::string> lines;
    for (const Row& row : db.Query(dependents, Visibility::kLatest))
        lines.push_back(row[0].value_or(""));
    if (!lines.empty())
        throw ScrubError(
            sqlstate::kDependentObjectsStillExist,
            "cannot replace schema \"" + target + "\" because objects outside it depend on it",
            JoinLines(lines),
            "Drop these objects or point them elsewhere: every run replaces the whole schema, "
            "with everything in it. Nothing was changed.");
}

std::string CreateBuildSchema(Database& db, const IdentifierQuoter& quote) {
    std::vector<Row> rows = db.Query(
        {std::string("SELECT pg_catalog.format('") + kBuildSchemaPrefix +
             "%s_%s', pg_catalog.pg_backend_pid(),"
             " pg_catalog.replace(CAST(pg_catalog.gen_random_uuid() AS pg_catalog.text), '-', ''))",
         {}},
        Visibility::kLatest);
    if (rows.empty() || rows[0].empty() || !rows[0][0])
        throw ScrubError(sqlstate::kInternalError, "could not name the build schema");
    std::string name = *rows[0][0];
    Statement owner{
        "SELECT pg_catalog.pg_get_userbyid(n.nspowner) FROM pg_catalog.pg_namespace n"
        " WHERE n.nspname OPERATOR(pg_catalog.=) $1",
        {}};
    owner.Bind(name);
    std::vector<Row> existing = db.Query(owner, Visibility::kLatest);
    if (!existing.empty())
        throw ScrubError(
            sqlstate::kDuplicateSchema, "build schema \"" + name + "\" already exists",
            "Schema \"" + name + "\" is owned by role \"" + existing[0][0].value_or("?") +
                "\"; scrub builds each run in a new schema of its own.",
            "Find out why role \"" + existing[0][0].value_or("?") + "\" created schema \"" + name +
                "\", drop it, and run scrub_to_schema again.");
    db.ReportActivity("creating schema " + name);
    db.Execute({"CREATE SCHEMA " + quote(name), {}}, Visibility::kLatest);
    return name;
}

TableOwner OwnerOf(const TableInfo& table, const std::string& source_schema) {
    return {table.owner_oid, table.owner,
            (table.schema.empty() ? source_schema : table.schema) + "." + table.name};
}

void CheckFakesFit(Database& db, const Plan& plan, const std::string& source_schema,
                   const IdentifierQuoter& quote, Problems* sink) {
    Problems lines;
    Problems wide;
    // The limit a column's fakes must stay within: only a key of a unique
    // index has one; any other fake wraps to fit.
    auto limit = [](const ColumnPlan& column) -> uint64_t {
        if (!column.DefaultFake() || column.column.unique_use != UniqueUse::kKey) return 0;
        return FakeCapacity(column.column);
    };
    for (const TablePlan& table : plan.tables) {
        if (!table.copy_rows) continue;
        uint64_t smallest = 0;
        std::vector<ColumnInfo> scrubbed;
        for (const ColumnPlan& column : table.columns) {
            uint64_t capacity = limit(column);
            if (capacity != 0 && (smallest == 0 || capacity < smallest)) smallest = capacity;
            if (column.DefaultFake()) scrubbed.push_back(column.column);
        }
        // Counting rows costs a scan: only where a limit may be reached.
        if (smallest == 0 && MinimumFakeBytes(scrubbed, UINT64_MAX) <= kMaxRowBytes) continue;
        // Counted as the table's owner, as every read of its rows is: planning
        // a query over the table can run its owner's code.
        std::vector<Row> rows = db.QueryAsOwner(
            OwnerOf(*table.table, table.table->schema),
            CountRows(*table.table, table.table->schema, quote, FilterCondition(table)),
            Visibility::kRunSnapshot);
        uint64_t count = rows.empty() || !rows[0][0] ? 0 : std::stoull(*rows[0][0]);
        if (count > 0 && MinimumFakeBytes(scrubbed, count) > kMaxRowBytes)
            wide.push_back({table.table->schema, table.table->name, "",
                            "The fakes of the " + std::to_string(scrubbed.size()) +
                                " scrubbed columns of table \"" + table.table->schema + "." +
                                table.table->name + "\" take at least " +
                                std::to_string(MinimumFakeBytes(scrubbed, count)) +
                                " bytes per row; a row holds at most " +
                                std::to_string(kMaxRowBytes) + "."});
        for (const ColumnPlan& column : table.columns) {
            uint64_t capacity = limit(column);
            if (capacity == 0 || count <= capacity) continue;
            lines.push_back(
                {table.table->schema, table.table->name, column.column.name,
                 "Column \"" + table.table->schema + "." + table.table->name + "." +
                     column.column.name + "\" has type " + column.column.type_sql +
                     ", whose distinct fakes number at most " + std::to_string(capacity) +
                     "; the table has " + std::to_string(count) + " rows, and unique index \"" +
                     column.column.unique_index + "\" needs a different value in each."});
        }
    }
    Refuse(sink, wide, sqlstate::kProgramLimitExceeded, "faked rows would be too big to store",
           "Keep more of these columns verbatim if their values are safe, or list "
           "the tables with [] to copy no rows. Nothing was changed.");
    Refuse(sink, lines, sqlstate::kStringDataRightTruncation,
           "unique fakes would not fit the types of some scrubbed columns",
           "Keep these columns verbatim if their values are safe, widen their "
           "types, or list the tables with [] to copy no rows. Nothing was "
           "changed.");
}

void RefuseForeignExtensionObjects(Database& db) {
    // pg_depend deptype 'e' ties each member to the extension's row.
    std::vector<Row> rows = db.Query(
        {"SELECT pg_catalog.format('%s %s, owned by role %I',"
         " CASE p.prokind WHEN 'a' THEN 'aggregate' WHEN 'p' THEN 'procedure'"
         " ELSE 'function' END,"
         " CAST(CAST(p.oid AS pg_catalog.regprocedure) AS pg_catalog.text),"
         " pg_catalog.pg_get_userbyid(p.proowner)), n.nspname"
         " FROM pg_catalog.pg_extension e"
         " JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace"
         " JOIN pg_catalog.pg_proc p ON p.pronamespace OPERATOR(pg_catalog.=) e.extnamespace"
         " WHERE e.extname OPERATOR(pg_catalog.=) 'scrub'"
         " AND p.proname OPERATOR(pg_catalog.=) ANY (ARRAY("
         "   SELECT m.proname FROM pg_catalog.pg_proc m"
         "   JOIN pg_catalog.pg_depend d ON d.objid OPERATOR(pg_catalog.=) m.oid"
         "   WHERE d.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_proc' AS "
         "pg_catalog.regclass)"
         "   AND d.refclassid OPERATOR(pg_catalog.=)"
         "       CAST('pg_catalog.pg_extension' AS pg_catalog.regclass)"
         "   AND d.refobjid OPERATOR(pg_catalog.=) e.oid"
         "   AND d.deptype OPERATOR(pg_catalog.=) 'e'))"
         " AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d"
         "   WHERE d.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_proc' AS "
         "pg_catalog.regclass)"
         "   AND d.objid OPERATOR(pg_catalog.=) p.oid"
         "   AND d.refclassid OPERATOR(pg_catalog.=)"
         "       CAST('pg_catalog.pg_extension' AS pg_catalog.regclass)"
         "   AND d.refobjid OPERATOR(pg_catalog.=) e.oid"
         "   AND d.deptype OPERATOR(pg_catalog.=) 'e')"
         " ORDER BY CAST(p.proname AS pg_catalog.text) COLLATE \"C\", p.oid",
         {}},
        Visibility::kLatest);
    if (rows.empty()) return;
    std::string detail, schema;
    for (const Row& row : rows) {
        if (row.size() < 2 || !row[0] || !row[1]) continue;
        detail += (detail.empty() ? "" : "\n") + *row[0] + ", is not part of extension scrub.";
        schema = *row[1];
    }
    if (detail.empty()) return;
    throw ScrubError(
        sqlstate::kInsufficientPrivilege,
        "schema \"" + schema +
            "\" of extension scrub holds functions named like scrub's own that are not scrub's",
        detail,
        "Drop them. Better, install scrub in a schema only trusted roles can create in: "
        "CREATE SCHEMA scrub (granting CREATE on it to nobody else), then CREATE EXTENSION "
        "scrub SCHEMA scrub; see \"Where to install scrub\" in docs/operations.md.");
}

std::string SignatureFunction(Database& db, const IdentifierQuoter& quote) {
    std::vector<Row> rows =
        db.Query({"SELECT n.nspname, EXISTS (SELECT FROM pg_catalog.pg_proc p"
                  " WHERE p.pronamespace OPERATOR(pg_catalog.=) n.oid"
                  " AND p.proname OPERATOR(pg_catalog.=) 'scrub_table_signature')"
                  " FROM pg_catalog.pg_extension e"
                  " JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace"
                  " WHERE e.extname OPERATOR(pg_catalog.=) 'scrub'",
                  {}},
                 Visibility::kLatest);
    if (rows.empty() || rows[0].size() < 2 || !rows[0][0])
        throw ScrubError(sqlstate::kUndefinedObject, "extension \"scrub\" is not installed", "",
                         "Run CREATE EXTENSION scrub.");
    // The library may be newer than the extension's SQL objects (a package
    // upgrade before ALTER EXTENSION scrub UPDATE): runs still work, and
    // record no signatures, which an export then reports.
    if (rows[0][1] != std::optional<std::string>("t")) return "";
    return QualifiedName(quote, *rows[0][0], "scrub_table_signature");
}

}  // namespace scrub

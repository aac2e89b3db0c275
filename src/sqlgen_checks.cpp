// SQL text for the checks a run makes before it writes (sqlgen_checks.h).
#include "sqlgen_checks.h"

#include <vector>

#include "facts.h"
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

// The name of every member function of extension e (pg_depend deptype
// 'e' ties each member to the extension's row), for a condition on p.
const char* kMemberFunctionNamesSql =
    "SELECT m.proname FROM pg_catalog.pg_proc m"
    "   JOIN pg_catalog.pg_depend d ON d.objid OPERATOR(pg_catalog.=) m.oid"
    "   WHERE d.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_proc' AS "
    "pg_catalog.regclass)"
    "   AND d.refclassid OPERATOR(pg_catalog.=)"
    "       CAST('pg_catalog.pg_extension' AS pg_catalog.regclass)"
    "   AND d.refobjid OPERATOR(pg_catalog.=) e.oid"
    "   AND d.deptype OPERATOR(pg_catalog.=) 'e'";

// The owner of schema `nsp` (a pg_namespace alias) as errors name it:
// 'role "name"', and for pg_database_owner the role that owns the
// database as well, the role whose rights that stands for.
std::string SchemaOwnerShown(const std::string& nsp) {
    return "CASE WHEN " + nsp +
           ".nspowner OPERATOR(pg_catalog.=) CAST('pg_database_owner' AS pg_catalog.regrole)\n"
           "            THEN pg_catalog.format('role \"pg_database_owner\" (the database''s "
           "owner, role \"%s\")',\n"
           "                     (SELECT pg_catalog.pg_get_userbyid(b.datdba) FROM "
           "pg_catalog.pg_database b\n"
           "                       WHERE b.datname OPERATOR(pg_catalog.=) "
           "pg_catalog.current_database()))\n"
           "            ELSE pg_catalog.format('role \"%s\"', pg_catalog.pg_get_userbyid(" +
           nsp + ".nspowner)) END";
}

}  // namespace

Statement OutsideDependents(const std::string& target) {
    Statement dependents{OutsideDependentsSql(), {}};
    dependents.Bind(target);
    return dependents;
}

Statement NewBuildSchemaName() {
    return {std::string("SELECT pg_catalog.format('") + kBuildSchemaPrefix +
                "%s_%s', pg_catalog.pg_backend_pid(),"
                " pg_catalog.replace(CAST(pg_catalog.gen_random_uuid() AS pg_catalog.text), '-', "
                "''))",
            {}};
}

Statement CreateSchema(const std::string& schema, const IdentifierQuoter& quote) {
    return {"CREATE SCHEMA " + quote(schema), {}};
}

Statement ExtensionImpostors() {
    return {std::string("SELECT pg_catalog.format('%s %s, owned by role %I',"
                        " CASE p.prokind WHEN 'a' THEN 'aggregate' WHEN 'p' THEN 'procedure'"
                        " ELSE 'function' END,"
                        " CAST(CAST(p.oid AS pg_catalog.regprocedure) AS pg_catalog.text),"
                        " pg_catalog.pg_get_userbyid(p.proowner)), n.nspname"
                        " FROM pg_catalog.pg_extension e"
                        " JOIN pg_catalog.pg_namespace n"
                        " ON n.oid OPERATOR(pg_catalog.=) e.extnamespace"
                        " JOIN pg_catalog.pg_proc p"
                        " ON p.pronamespace OPERATOR(pg_catalog.=) e.extnamespace"
                        " WHERE e.extname OPERATOR(pg_catalog.=) 'scrub'"
                        " AND p.proname OPERATOR(pg_catalog.=) ANY (ARRAY(") +
                kMemberFunctionNamesSql +
                "))"
                " AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d"
                "   WHERE d.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_proc' AS "
                "pg_catalog.regclass)"
                "   AND d.objid OPERATOR(pg_catalog.=) p.oid"
                "   AND d.refclassid OPERATOR(pg_catalog.=)"
                "       CAST('pg_catalog.pg_extension' AS pg_catalog.regclass)"
                "   AND d.refobjid OPERATOR(pg_catalog.=) e.oid"
                "   AND d.deptype OPERATOR(pg_catalog.=) 'e')"
                " ORDER BY CAST(p.proname AS pg_catalog.text) COLLATE \"C\", p.oid",
            {}};
}

Statement ExtensionSchemaOwner() {
    return {std::string(R"SQL(
WITH db AS (
    SELECT b.datdba FROM pg_catalog.pg_database b
     WHERE b.datname OPERATOR(pg_catalog.=) pg_catalog.current_database())
SELECT n.nspname,
       )SQL") + SchemaOwnerShown("n") +
                R"SQL(,
       COALESCE((SELECT r.rolsuper FROM pg_catalog.pg_roles r
                  WHERE r.oid OPERATOR(pg_catalog.=)
                        CASE WHEN n.nspowner OPERATOR(pg_catalog.=)
                                  CAST('pg_database_owner' AS pg_catalog.regrole)
                             THEN (SELECT db.datdba FROM db) ELSE n.nspowner END), false)
  FROM pg_catalog.pg_extension e
  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
 WHERE e.extname OPERATOR(pg_catalog.=) 'scrub'
)SQL",
            {}};
}

Statement ExtensionMemberFunctions() {
    return {std::string("SELECT e.extversion, m.proname FROM pg_catalog.pg_extension e"
                        " CROSS JOIN LATERAL (") +
                kMemberFunctionNamesSql +
                ") AS m WHERE e.extname OPERATOR(pg_catalog.=) 'scrub' ORDER BY 2",
            {}};
}

Statement ExtensionSchemaAndSignature() {
    return {
        "SELECT n.nspname, EXISTS (SELECT FROM pg_catalog.pg_proc p"
        " WHERE p.pronamespace OPERATOR(pg_catalog.=) n.oid"
        " AND p.proname OPERATOR(pg_catalog.=) 'scrub_table_signature')"
        " FROM pg_catalog.pg_extension e"
        " JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace"
        " WHERE e.extname OPERATOR(pg_catalog.=) 'scrub'",
        {}};
}

Statement SchemasOfOtherOwners(const std::vector<std::string>& oids) {
    Statement statement;
    statement.sql = R"SQL(
WITH copied AS (
    SELECT c.oid AS relid, c.relowner AS owner, n.nspname AS table_schema, c.relname AS table_name
      FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
     WHERE c.oid OPERATOR(pg_catalog.=) ANY (CAST()SQL" +
                    statement.Bind(TextArrayLiteral(oids)) + R"SQL( AS pg_catalog.oid[]))),
members AS (
    SELECT t.owner, t.table_schema, t.table_name, p.relid
      FROM copied t CROSS JOIN LATERAL pg_catalog.pg_partition_tree(t.relid) AS p
    UNION
    SELECT t.owner, t.table_schema, t.table_name, t.relid FROM copied t),
types AS (
    SELECT m.owner, m.table_schema, m.table_name, a.attname, x.oid AS type, x.typelem AS element
      FROM members m
      JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) m.relid
                                    AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
      JOIN pg_catalog.pg_type x ON x.oid OPERATOR(pg_catalog.=) a.atttypid),
named AS (
    SELECT m.owner, m.table_schema, m.table_name,
           pg_catalog.format('%s %I.%I', CASE c.relkind WHEN 'S' THEN 'sequence' ELSE 'table' END,
                             n.nspname, c.relname) AS what, c.relnamespace AS nsp
      FROM members m
      JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) m.relid
      JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
    UNION
    SELECT y.owner, y.table_schema, y.table_name,
           pg_catalog.format('type %s of column %I', pg_catalog.format_type(t.oid, NULL),
                             y.attname), t.typnamespace
      FROM types y
      JOIN pg_catalog.pg_type t ON t.oid OPERATOR(pg_catalog.=) y.type
                                OR t.oid OPERATOR(pg_catalog.=) y.element)
SELECT d.table_schema, d.table_name, d.what, s.nspname,
       )SQL" + SchemaOwnerShown("s") +
                    R"SQL(,
       pg_catalog.pg_get_userbyid(d.owner)
  FROM named d
  JOIN pg_catalog.pg_namespace s ON s.oid OPERATOR(pg_catalog.=) d.nsp
 WHERE s.nspowner OPERATOR(pg_catalog.<>) d.owner
   AND NOT (SELECT r.rolsuper FROM pg_catalog.pg_roles r
             WHERE r.oid OPERATOR(pg_catalog.=) s.nspowner)
   AND NOT (s.nspowner OPERATOR(pg_catalog.=) CAST('pg_database_owner' AS pg_catalog.regrole)
            AND (SELECT b.datdba OPERATOR(pg_catalog.=) d.owner OR r.rolsuper
                   FROM pg_catalog.pg_database b
                   JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) b.datdba
                  WHERE b.datname OPERATOR(pg_catalog.=) pg_catalog.current_database()))
 ORDER BY 1, 2, 3
)SQL";
    return statement;
}

Statement ProbeHashKey(const std::string& extension_schema, const std::string& hash_token,
                       const IdentifierQuoter& quote) {
    Statement probe;
    probe.sql = "SELECT " + quote(extension_schema) + ".scrub_hash(CAST(0 AS pg_catalog.int8)";
    if (!hash_token.empty())
        probe.sql += ", CAST(" + probe.Bind(hash_token) + " AS pg_catalog.text)";
    probe.sql += ")";
    return probe;
}

Statement CastConstant(const ColumnPlan& column) {
    Statement cast;
    cast.sql = "SELECT CAST(CAST(" + cast.Bind(column.rule.constant) + " AS pg_catalog.text) AS " +
               column.column.type_sql + ")";
    return cast;
}

namespace {

// The table itself as the rows `src` of an analysis: the deparse of its
// expression then names the columns as every statement reads them.
std::string AnalysedRows(const TablePlan& table, const IdentifierQuoter& quote) {
    return "ONLY " + QualifiedName(quote, table.table->schema, table.table->name) + " AS src";
}

}  // namespace

Statement AnalyseFilter(const TablePlan& table, const IdentifierQuoter& quote) {
    return {
        "SELECT FROM " + AnalysedRows(table, quote) + " WHERE (" + table.row_filter + "\n) LIMIT 0",
        {}};
}

Statement AnalyseSqlRule(const TablePlan& table, const ColumnPlan& column,
                         const IdentifierQuoter& quote) {
    const std::string cast = "CAST((" + column.rule.sql + "\n) AS " + column.column.type_sql + ")";
    return {"SELECT " + cast + " FROM " + AnalysedRows(table, quote) + " WHERE " + cast +
                " IS NULL LIMIT 0",
            {}};
}

Statement PlanFilter(const TablePlan& table, const std::string& rows) {
    return {"SELECT FROM " + rows + " WHERE " + FilterCondition(table) + " LIMIT 0", {}};
}

Statement PlanSqlRule(const ColumnPlan& column, const std::string& rows) {
    return {"SELECT FROM " + rows + " WHERE CAST(" + SqlRuleText(column) + " AS " +
                column.column.type_sql + ") IS NULL LIMIT 0",
            {}};
}

Statement CountDistinctHashInputs(const TablePlan& table, const ColumnPlan& column,
                                  const IdentifierQuoter& quote) {
    std::vector<std::string> names;
    for (const ColumnPlan& each : table.columns) names.push_back(each.column.name);
    const std::string filter = FilterCondition(table);
    return {"SELECT pg_catalog.count(DISTINCT " +
                HashInput(column, "src." + quote(column.column.name)) + ") FROM " +
                SourceRows(*table.table, table.table->schema, names, quote) + " AS src" +
                (filter.empty() ? "" : " WHERE " + filter),
            {}};
}

Statement CountDistinctHashes(const TablePlan& table, const ColumnPlan& column,
                              const std::string& build_schema, const std::string& rows,
                              const IdentifierQuoter& quote) {
    return {"SELECT pg_catalog.count(DISTINCT CAST(" + quote(column.column.name) +
                " AS pg_catalog.text)) FROM " +
                (rows.empty() ? "ONLY " + QualifiedName(quote, build_schema, table.table->name)
                              : "(" + rows + ") AS scrubbed"),
            {}};
}

}  // namespace scrub

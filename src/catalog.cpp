// Reads each covered schema's tables (with their partition trees and
// partition keys), columns, sequences, foreign keys, CHECK and exclusion
// constraints, indexes, generated columns and the relations it does not
// copy, from the system catalogs. Runs under the function's pinned search_path; operators are
// schema-qualified all the same so the text is safe anywhere.
#include "catalog.h"

#include <map>
#include <set>

#include "database.h"
#include "error.h"

#include "pure_only.h"  // last: no PostgreSQL header above

namespace scrub {
namespace {

// Relations of the schema that scrub copies or records, without extension
// members. Partitions name their root table.
const char* kRelationsSql = R"SQL(
SELECT c.oid, c.relname, c.relkind, r.relname, rn.nspname,
       c.relowner, pg_catalog.pg_get_userbyid(c.relowner)
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
  LEFT JOIN pg_catalog.pg_class r
         ON c.relispartition AND r.oid OPERATOR(pg_catalog.=) pg_catalog.pg_partition_root(c.oid)
  LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid OPERATOR(pg_catalog.=) r.relnamespace
 WHERE n.nspname OPERATOR(pg_catalog.=) $1
   AND c.relkind OPERATOR(pg_catalog.=) ANY (CAST('{r,p}' AS pg_catalog."char"[]))
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                    WHERE d.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_class' AS pg_catalog.regclass)
                      AND d.objid OPERATOR(pg_catalog.=) c.oid
                      AND d.deptype OPERATOR(pg_catalog.=) 'e')
 ORDER BY c.relname
)SQL";

// Relations of the schema that scrub does not copy, so that an allowlist
// entry naming one is told what it names.
const char* kOtherRelationsSql = R"SQL(
SELECT c.relname,
       CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
                      WHEN 'f' THEN 'foreign table' WHEN 'S' THEN 'sequence'
                      WHEN 'c' THEN 'composite type' ELSE 'relation' END
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
 WHERE n.nspname OPERATOR(pg_catalog.=) $1
   AND c.relkind OPERATOR(pg_catalog.=) ANY (CAST('{v,m,f,S,c}' AS pg_catalog."char"[]))
 ORDER BY c.relname
)SQL";

// The leaf partitions (and foreign partitions) of every partition tree
// whose root is a table of the schema, in any schema.
const char* kLeavesSql = R"SQL(
SELECT r.oid, c.relkind, n.nspname, c.relname
  FROM pg_catalog.pg_class r
  JOIN pg_catalog.pg_namespace rn ON rn.oid OPERATOR(pg_catalog.=) r.relnamespace
 CROSS JOIN LATERAL pg_catalog.pg_partition_tree(r.oid) AS t
  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.relid
  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
 WHERE rn.nspname OPERATOR(pg_catalog.=) $1
   AND r.relkind OPERATOR(pg_catalog.=) 'p' AND NOT r.relispartition
   AND c.relkind OPERATOR(pg_catalog.=) ANY (CAST('{r,f}' AS pg_catalog."char"[]))
 ORDER BY r.oid, n.nspname, c.relname
)SQL";

// Columns read by the partition key of each partitioned table in those
// trees: plain key columns, and those a key expression reads (recorded as
// internal dependencies of the column on its own table).
const char* kPartitionKeysSql = R"SQL(
SELECT DISTINCT r.relname, pg_catalog.format('%s.%s', pg_catalog.quote_ident(pn.nspname),
                                             pg_catalog.quote_ident(p.relname)),
       a.attname
  FROM pg_catalog.pg_class r
  JOIN pg_catalog.pg_namespace rn ON rn.oid OPERATOR(pg_catalog.=) r.relnamespace
 CROSS JOIN LATERAL pg_catalog.pg_partition_tree(r.oid) AS t
  JOIN pg_catalog.pg_class p ON p.oid OPERATOR(pg_catalog.=) t.relid
  JOIN pg_catalog.pg_namespace pn ON pn.oid OPERATOR(pg_catalog.=) p.relnamespace
  JOIN pg_catalog.pg_partitioned_table k ON k.partrelid OPERATOR(pg_catalog.=) p.oid
  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) p.oid
 WHERE rn.nspname OPERATOR(pg_catalog.=) $1
   AND r.relkind OPERATOR(pg_catalog.=) 'p' AND NOT r.relispartition
   AND a.attnum OPERATOR(pg_catalog.>) 0
   AND (a.attnum OPERATOR(pg_catalog.=) ANY (CAST(k.partattrs AS pg_catalog.int2[]))
        OR EXISTS (SELECT FROM pg_catalog.pg_depend d
                    WHERE d.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_class' AS pg_catalog.regclass)
                      AND d.objid OPERATOR(pg_catalog.=) p.oid
                      AND d.objsubid OPERATOR(pg_catalog.=) a.attnum
                      AND d.refclassid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_class' AS pg_catalog.regclass)
                      AND d.refobjid OPERATOR(pg_catalog.=) p.oid
                      AND d.refobjsubid OPERATOR(pg_catalog.=) 0
                      AND d.deptype OPERATOR(pg_catalog.=) 'i'))
 ORDER BY 1, 2, 3
)SQL";

// Exclusion constraints of the given tables with every column they read:
// their key columns, and those their index's expressions or predicate read.
const char* kExclusionsSql = R"SQL(
SELECT DISTINCT c.relname, con.conname, a.attname, a.attnum
  FROM pg_catalog.pg_constraint con
  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) con.conrelid
  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) con.conrelid
 WHERE con.contype OPERATOR(pg_catalog.=) 'x'
   AND con.conrelid OPERATOR(pg_catalog.=) ANY (CAST($1 AS pg_catalog.oid[]))
   AND a.attnum OPERATOR(pg_catalog.>) 0
   AND (a.attnum OPERATOR(pg_catalog.=) ANY (con.conkey)
        OR EXISTS (SELECT FROM pg_catalog.pg_depend d
                    WHERE d.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_class' AS pg_catalog.regclass)
                      AND d.objid OPERATOR(pg_catalog.=) con.conindid
                      AND d.refclassid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_class' AS pg_catalog.regclass)
                      AND d.refobjid OPERATOR(pg_catalog.=) con.conrelid
                      AND d.refobjsubid OPERATOR(pg_catalog.=) a.attnum))
 ORDER BY 1, 2, 4
)SQL";

// Generated columns of the given tables: the columns their expression
// reads, one row each (a generated column reading none has one row with a
// NULL there).
const char* kGeneratedSql = R"SQL(
SELECT a.attrelid, a.attname, ra.attname
  FROM pg_catalog.pg_attribute a
  JOIN pg_catalog.pg_attrdef ad ON ad.adrelid OPERATOR(pg_catalog.=) a.attrelid
                               AND ad.adnum OPERATOR(pg_catalog.=) a.attnum
  LEFT JOIN pg_catalog.pg_depend d
         ON d.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_attrdef' AS pg_catalog.regclass)
        AND d.objid OPERATOR(pg_catalog.=) ad.oid
        AND d.refclassid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_class' AS pg_catalog.regclass)
        AND d.refobjid OPERATOR(pg_catalog.=) a.attrelid
        AND d.refobjsubid OPERATOR(pg_catalog.>) 0
        AND d.refobjsubid OPERATOR(pg_catalog.<>) a.attnum
  LEFT JOIN pg_catalog.pg_attribute ra ON ra.attrelid OPERATOR(pg_catalog.=) a.attrelid
                                      AND ra.attnum OPERATOR(pg_catalog.=) d.refobjsubid
 WHERE a.attrelid OPERATOR(pg_catalog.=) ANY (CAST($1 AS pg_catalog.oid[]))
   AND a.attgenerated OPERATOR(pg_catalog.<>) '' AND NOT a.attisdropped
 ORDER BY a.attrelid, a.attnum, ra.attnum
)SQL";

// Sequences of the schema (not extension members), and sequences in any
// schema that a default or identity of one of the schema's tables draws
// from: a restore must set each, or the first insert collides with copied
// keys.
const char* kSequencesSql = R"SQL(
SELECT s.oid, n.nspname, s.relname
  FROM pg_catalog.pg_class s
  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) s.relnamespace
 WHERE s.relkind OPERATOR(pg_catalog.=) 'S'
   AND ((n.nspname OPERATOR(pg_catalog.=) $1
         AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
                          WHERE d.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_class' AS pg_catalog.regclass)
                            AND d.objid OPERATOR(pg_catalog.=) s.oid
                            AND d.deptype OPERATOR(pg_catalog.=) 'e'))
        OR s.oid OPERATOR(pg_catalog.=) ANY (ARRAY(
             SELECT d.refobjid
               FROM pg_catalog.pg_depend d
               JOIN pg_catalog.pg_class t
                 ON t.oid OPERATOR(pg_catalog.=) CASE d.classid
                      WHEN CAST('pg_catalog.pg_attrdef' AS pg_catalog.regclass) THEN
                        (SELECT a.adrelid FROM pg_catalog.pg_attrdef a
                          WHERE a.oid OPERATOR(pg_catalog.=) d.objid)
                      ELSE d.objid END
               JOIN pg_catalog.pg_namespace tn ON tn.oid OPERATOR(pg_catalog.=) t.relnamespace
              WHERE d.refclassid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_class' AS pg_catalog.regclass)
                AND (d.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_attrdef' AS pg_catalog.regclass)
                     OR (d.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_class' AS pg_catalog.regclass)
                         AND d.objsubid OPERATOR(pg_catalog.>) 0))
                AND t.relkind OPERATOR(pg_catalog.=) ANY (CAST('{r,p}' AS pg_catalog."char"[]))
                AND tn.nspname OPERATOR(pg_catalog.=) $1)))
 ORDER BY n.nspname, s.relname
)SQL";

// The collation of OID `oid`, as a LATERAL subquery `alias(name,
// deterministic)` to LEFT JOIN ON true: its name, qualified and quoted, and
// whether it is deterministic; no row for OID 0.
std::string CollationOf(const std::string& oid, const std::string& alias) {
    return "  LEFT JOIN LATERAL (SELECT pg_catalog.format('%s.%s', "
           "pg_catalog.quote_ident(ln.nspname), pg_catalog.quote_ident(l.collname)),\n"
           "                           l.collisdeterministic\n"
           "                      FROM pg_catalog.pg_collation l\n"
           "                      JOIN pg_catalog.pg_namespace ln\n"
           "                        ON ln.oid OPERATOR(pg_catalog.=) l.collnamespace\n"
           "                     WHERE l.oid OPERATOR(pg_catalog.=) " +
           oid + ") AS " + alias + "(name, deterministic) ON true\n";
}

// Columns: their collation when not the type's default, for a generated
// column its expression, and their collation again when it is
// nondeterministic.
std::string ColumnsSql() {
    return R"SQL(
SELECT a.attrelid, a.attname, a.atttypid, a.atttypmod,
       pg_catalog.format_type(a.atttypid, a.atttypmod),
       a.attgenerated OPERATOR(pg_catalog.<>) '', a.attnotnull,
       CASE WHEN a.attcollation OPERATOR(pg_catalog.<>) t.typcollation THEN coll.name END,
       CASE WHEN a.attgenerated OPERATOR(pg_catalog.<>) '' THEN
           (SELECT pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) FROM pg_catalog.pg_attrdef ad
             WHERE ad.adrelid OPERATOR(pg_catalog.=) a.attrelid
               AND ad.adnum OPERATOR(pg_catalog.=) a.attnum) END,
       CASE WHEN NOT coll.deterministic THEN coll.name END
  FROM pg_catalog.pg_attribute a
  JOIN pg_catalog.pg_type t ON t.oid OPERATOR(pg_catalog.=) a.atttypid
)SQL" + CollationOf("a.attcollation", "coll") +
           R"SQL( WHERE a.attrelid OPERATOR(pg_catalog.=) ANY (CAST($1 AS pg_catalog.oid[]))
   AND a.attnum OPERATOR(pg_catalog.>) 0
   AND NOT a.attisdropped
 ORDER BY a.attrelid, a.attnum
)SQL";
}

// The sequences each column of the given tables draws from: those its
// default reads (serial, nextval()) and its identity sequence.
const char* kSequenceUsesSql = R"SQL(
SELECT ad.adrelid, a.attname, d.refobjid
  FROM pg_catalog.pg_attrdef ad
  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) ad.adrelid
                                AND a.attnum OPERATOR(pg_catalog.=) ad.adnum
  JOIN pg_catalog.pg_depend d
    ON d.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_attrdef' AS pg_catalog.regclass)
   AND d.objid OPERATOR(pg_catalog.=) ad.oid
   AND d.refclassid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_class' AS pg_catalog.regclass)
  JOIN pg_catalog.pg_class s ON s.oid OPERATOR(pg_catalog.=) d.refobjid
 WHERE ad.adrelid OPERATOR(pg_catalog.=) ANY (CAST($1 AS pg_catalog.oid[]))
   AND s.relkind OPERATOR(pg_catalog.=) 'S' AND NOT a.attisdropped
   AND a.attgenerated OPERATOR(pg_catalog.=) ''
UNION
SELECT a.attrelid, a.attname, d.objid
  FROM pg_catalog.pg_depend d
  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) d.refobjid
                                AND a.attnum OPERATOR(pg_catalog.=) d.refobjsubid
  JOIN pg_catalog.pg_class s ON s.oid OPERATOR(pg_catalog.=) d.objid
 WHERE d.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_class' AS pg_catalog.regclass)
   AND d.refclassid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_class' AS pg_catalog.regclass)
   AND d.deptype OPERATOR(pg_catalog.=) 'i'
   AND d.refobjid OPERATOR(pg_catalog.=) ANY (CAST($1 AS pg_catalog.oid[]))
   AND s.relkind OPERATOR(pg_catalog.=) 'S' AND a.attidentity OPERATOR(pg_catalog.<>) ''
 ORDER BY 1, 2, 3
)SQL";

// Foreign keys of the given tables, one row per column pair, in order.
const char* kForeignKeysSql = R"SQL(
SELECT c.relname, con.conname, rn.nspname, r.relname, a.attname, fa.attname,
       pg_catalog.format('OPERATOR(%I.%s)', opn.nspname, op.oprname), con.convalidated
  FROM pg_catalog.pg_constraint con
  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) con.conrelid
  JOIN pg_catalog.pg_class r ON r.oid OPERATOR(pg_catalog.=) con.confrelid
  JOIN pg_catalog.pg_namespace rn ON rn.oid OPERATOR(pg_catalog.=) r.relnamespace
 CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(con.conkey), pg_catalog.unnest(con.confkey),
                               pg_catalog.unnest(con.conpfeqop))
       WITH ORDINALITY AS k(attnum, fattnum, eqop, ord)
  JOIN pg_catalog.pg_operator op ON op.oid OPERATOR(pg_catalog.=) k.eqop
  JOIN pg_catalog.pg_namespace opn ON opn.oid OPERATOR(pg_catalog.=) op.oprnamespace
  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) con.conrelid
                                AND a.attnum OPERATOR(pg_catalog.=) k.attnum
  JOIN pg_catalog.pg_attribute fa ON fa.attrelid OPERATOR(pg_catalog.=) con.confrelid
                                 AND fa.attnum OPERATOR(pg_catalog.=) k.fattnum
 WHERE con.contype OPERATOR(pg_catalog.=) 'f'
   AND con.conparentid OPERATOR(pg_catalog.=) 0
   AND con.conrelid OPERATOR(pg_catalog.=) ANY (CAST($1 AS pg_catalog.oid[]))
 ORDER BY c.relname, con.conname, k.ord
)SQL";

// Whose indexes and CHECK constraints a query reads.
enum class Scope {
    // The tables whose OIDs $1 lists (an oid[] literal).
    kTables,
    // The partitions in the trees under the root tables of schema $1 (in
    // any schema), named by their root. Only partitions that the root's
    // owner owns: the run evaluates their expressions as that role, and
    // another owner's code must not run with its rights.
    kPartitions,
};

// The FROM items and WHERE conditions that give the relations `p` of
// `scope`, with what names their table in the rows, and for a partition
// its name and its partition constraint (NULL for a table).
struct Relations {
    const char* table;
    const char* from;
    const char* where;
    const char* partition;
    const char* partition_constraint;
};

Relations Over(Scope scope) {
    if (scope == Scope::kTables)
        return {"p.relname", "pg_catalog.pg_class p",
                "p.oid OPERATOR(pg_catalog.=) ANY (CAST($1 AS pg_catalog.oid[]))",
                "CAST(NULL AS pg_catalog.text)", "CAST(NULL AS pg_catalog.text)"};
    return {"r.relname", R"SQL(pg_catalog.pg_class r
  JOIN pg_catalog.pg_namespace rn ON rn.oid OPERATOR(pg_catalog.=) r.relnamespace
 CROSS JOIN LATERAL pg_catalog.pg_partition_tree(r.oid) AS t
  JOIN pg_catalog.pg_class p ON p.oid OPERATOR(pg_catalog.=) t.relid
  JOIN pg_catalog.pg_namespace pn ON pn.oid OPERATOR(pg_catalog.=) p.relnamespace)SQL",
            R"SQL(rn.nspname OPERATOR(pg_catalog.=) $1
   AND r.relkind OPERATOR(pg_catalog.=) 'p' AND NOT r.relispartition
   AND p.oid OPERATOR(pg_catalog.<>) r.oid AND p.relowner OPERATOR(pg_catalog.=) r.relowner)SQL",
            "pg_catalog.format('%s.%s', pn.nspname, p.relname)",
            "pg_catalog.pg_get_partition_constraintdef(p.oid)"};
}

// Indexes of `scope`, one row per key column: the table, the index, its
// column's name (NULL for an expression), NULLS NOT DISTINCT, the index's
// collation, UNIQUE, the expression deparsed under the pinned search_path,
// the predicate of a partial index, whether the collation is
// nondeterministic, PRIMARY KEY, and the partition and its constraint.
// Indexes of exclusion constraints are read by kExclusionsSql; for
// partitions, only indexes not attached to an index of their parent.
std::string IndexesSql(Scope scope) {
    const Relations over = Over(scope);
    return std::string("\nSELECT ") + over.table +
           R"SQL(, i.relname, a.attname, ix.indnullsnotdistinct,
       coll.name, ix.indisunique,
       CASE WHEN k.attnum OPERATOR(pg_catalog.=) 0 THEN
           pg_catalog.pg_get_indexdef(ix.indexrelid, CAST(k.ord AS pg_catalog.int4), true) END,
       pg_catalog.pg_get_expr(ix.indpred, ix.indrelid), NOT coll.deterministic, ix.indisprimary,
       )SQL" +
           over.partition + ",\n       " + over.partition_constraint + "\n  FROM " + over.from +
           R"SQL(
  JOIN pg_catalog.pg_index ix ON ix.indrelid OPERATOR(pg_catalog.=) p.oid
  JOIN pg_catalog.pg_class i ON i.oid OPERATOR(pg_catalog.=) ix.indexrelid
 CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(CAST(ix.indkey AS pg_catalog.int2[])),
                               pg_catalog.unnest(CAST(ix.indcollation AS pg_catalog.oid[])))
       WITH ORDINALITY AS k(attnum, collid, ord)
  LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) ix.indrelid
                                     AND a.attnum OPERATOR(pg_catalog.=) k.attnum
                                     AND k.attnum OPERATOR(pg_catalog.<>) 0
)SQL" + CollationOf("k.collid", "coll") +
           " WHERE " + over.where + R"SQL(
   AND k.ord OPERATOR(pg_catalog.<=) ix.indnkeyatts
   AND NOT EXISTS (SELECT FROM pg_catalog.pg_constraint x
                    WHERE x.conindid OPERATOR(pg_catalog.=) ix.indexrelid
                      AND x.contype OPERATOR(pg_catalog.=) 'x')
)SQL" +
           (scope == Scope::kPartitions
                ? R"SQL(   AND NOT EXISTS (SELECT FROM pg_catalog.pg_inherits h
                    WHERE h.inhrelid OPERATOR(pg_catalog.=) ix.indexrelid)
)SQL"
                : "") +
           " ORDER BY 1, 2, 11, k.ord\n";
}

// Every column each index of `scope` reads: its key and INCLUDE columns,
// and those its expressions or predicate read (recorded as dependencies of
// the index on its table's columns); with the partition, as IndexesSql.
std::string IndexColumnsSql(Scope scope) {
    const Relations over = Over(scope);
    return std::string("\nSELECT DISTINCT ") + over.table + ", i.relname, a.attname, a.attnum, " +
           over.partition + "\n  FROM " + over.from + R"SQL(
  JOIN pg_catalog.pg_index ix ON ix.indrelid OPERATOR(pg_catalog.=) p.oid
  JOIN pg_catalog.pg_class i ON i.oid OPERATOR(pg_catalog.=) ix.indexrelid
  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) ix.indrelid
 WHERE )SQL" +
           over.where +
           R"SQL(
   AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
   AND (a.attnum OPERATOR(pg_catalog.=) ANY (CAST(ix.indkey AS pg_catalog.int2[]))
        OR EXISTS (SELECT FROM pg_catalog.pg_depend d
                    WHERE d.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_class' AS pg_catalog.regclass)
                      AND d.objid OPERATOR(pg_catalog.=) ix.indexrelid
                      AND d.refclassid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_class' AS pg_catalog.regclass)
                      AND d.refobjid OPERATOR(pg_catalog.=) ix.indrelid
                      AND d.refobjsubid OPERATOR(pg_catalog.=) a.attnum))
 ORDER BY 1, 2, 5, 4
)SQL";
}

// Validated CHECK constraints of `scope`, one row per column they read:
// the table, the constraint, its expression deparsed under the pinned
// search_path (so every name outside pg_catalog is qualified), the column,
// and the partition and its constraint. For partitions, only the
// constraints they do not inherit.
std::string ChecksSql(Scope scope) {
    const Relations over = Over(scope);
    return std::string("\nSELECT ") + over.table +
           ", con.conname, pg_catalog.pg_get_expr(con.conbin, con.conrelid), a.attname,\n       " +
           over.partition + ", " + over.partition_constraint + "\n  FROM " + over.from + R"SQL(
  JOIN pg_catalog.pg_constraint con ON con.conrelid OPERATOR(pg_catalog.=) p.oid
 CROSS JOIN LATERAL pg_catalog.unnest(con.conkey) AS k(attnum)
  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) con.conrelid
                                AND a.attnum OPERATOR(pg_catalog.=) k.attnum
 WHERE )SQL" +
           over.where +
           R"SQL(
   AND con.contype OPERATOR(pg_catalog.=) 'c' AND con.convalidated
)SQL" + (scope == Scope::kPartitions ? "   AND con.coninhcount OPERATOR(pg_catalog.=) 0\n" : "") +
           " ORDER BY 1, 2, 5, a.attnum\n";
}

const std::string& Field(const Row& row, size_t index) {
    if (index >= row.size() || !row[index])
        throw ScrubError(sqlstate::kInternalError, "unexpected NULL in catalog query result");
    return *row[index];
}

// Runs a query over the tables `oids` whose rows, ordered by table and
// object name, give one column of a constraint or index each: `make` builds
// the record from the first row of each (table, name), `add` adds each row.
template <typename Record, typename Make, typename Add>
void ReadGrouped(Database& db, const std::string& sql, const std::string& oids,
                 std::vector<Record>& records, Make make, Add add) {
    Statement statement{sql, {}};
    statement.Bind(oids);
    for (const Row& row : db.Query(statement, Visibility::kLatest)) {
        if (records.empty() || records.back().table != Field(row, 0) ||
            records.back().name != Field(row, 1))
            records.push_back(make(row));
        add(records.back(), row);
    }
}

// The value of column `index` of `row`, or "" for NULL or a row too short
// to have it.
std::string Optional(const Row& row, size_t index) {
    return index < row.size() ? row[index].value_or("") : "";
}

// Appends the CHECK constraints of `scope` to `checks`; `key` is $1.
void ReadChecks(Database& db, Scope scope, const std::string& key,
                std::vector<CheckConstraint>& checks) {
    Statement statement{ChecksSql(scope), {}};
    statement.Bind(key);
    const size_t first = checks.size();
    for (const Row& row : db.Query(statement, Visibility::kLatest)) {
        if (checks.size() == first || checks.back().table != Field(row, 0) ||
            checks.back().name != Field(row, 1) || checks.back().partition != Optional(row, 4))
            checks.push_back({Field(row, 1),
                              Field(row, 0),
                              Field(row, 2),
                              {},
                              Optional(row, 4),
                              Optional(row, 5)});
        checks.back().columns.push_back(Field(row, 3));
    }
}

// Appends the indexes of `scope`, with the columns each reads, to
// `indexes`; `key` is $1.
void ReadIndexes(Database& db, Scope scope, const std::string& key, std::vector<Index>& indexes) {
    Statement statement{IndexesSql(scope), {}};
    statement.Bind(key);
    const size_t first = indexes.size();
    for (const Row& row : db.Query(statement, Visibility::kLatest)) {
        if (indexes.size() == first || indexes.back().table != Field(row, 0) ||
            indexes.back().name != Field(row, 1) || indexes.back().partition != Optional(row, 10)) {
            Index index{Field(row, 1), Field(row, 0), {}, {}, Field(row, 3) == "t"};
            index.unique = Field(row, 5) == "t";
            index.predicate = Optional(row, 7);
            index.primary = Optional(row, 9) == "t";
            index.partition = Optional(row, 10);
            index.partition_constraint = Optional(row, 11);
            indexes.push_back(std::move(index));
        }
        Index& index = indexes.back();
        index.columns.push_back(Optional(row, 2));
        index.collations.push_back(Optional(row, 4));
        index.expressions.push_back(Optional(row, 6));
        index.nondeterministic.push_back(Optional(row, 8) == "t");
    }
    Statement columns{IndexColumnsSql(scope), {}};
    columns.Bind(key);
    for (const Row& row : db.Query(columns, Visibility::kLatest))
        for (size_t i = first; i < indexes.size(); ++i)
            if (indexes[i].table == Field(row, 0) && indexes[i].name == Field(row, 1) &&
                indexes[i].partition == Optional(row, 4))
                indexes[i].reads.push_back(Field(row, 2));
}

// Reads one schema's part of the catalog; its records are not yet
// marked with their schema.
SourceCatalog ReadSchema(Database& db, const std::string& schema) {
    Statement relations{kRelationsSql, {}};
    relations.Bind(schema);

    SourceCatalog catalog;
    std::map<uint32_t, size_t> table_index_by_oid;
    std::vector<std::string> oids;
    for (const Row& row : db.Query(relations, Visibility::kLatest)) {
        const std::string& kind = Field(row, 2);
        TableInfo table;
        table.oid = static_cast<uint32_t>(std::stoul(Field(row, 0)));
        table.name = Field(row, 1);
        table.partitioned = kind == "p";
        if (row[3]) table.partition_of = *row[3];
        if (row[4]) table.partition_of_schema = *row[4];
        table.owner_oid = static_cast<uint32_t>(std::stoul(Field(row, 5)));
        table.owner = Field(row, 6);
        table_index_by_oid[table.oid] = catalog.tables.size();
        oids.push_back(Field(row, 0));
        catalog.tables.push_back(std::move(table));
    }
    Statement others{kOtherRelationsSql, {}};
    others.Bind(schema);
    for (const Row& row : db.Query(others, Visibility::kLatest))
        catalog.other_relations.push_back({Field(row, 0), Field(row, 1)});
    Statement sequences{kSequencesSql, {}};
    sequences.Bind(schema);
    for (const Row& row : db.Query(sequences, Visibility::kLatest))
        catalog.sequences.push_back(
            {static_cast<uint32_t>(std::stoul(Field(row, 0))), Field(row, 1), Field(row, 2)});
    if (catalog.tables.empty()) return catalog;

    Statement columns{ColumnsSql(), {}};
    columns.Bind(TextArrayLiteral(oids));
    for (const Row& row : db.Query(columns, Visibility::kLatest)) {
        auto oid = static_cast<uint32_t>(std::stoul(Field(row, 0)));
        ColumnInfo column;
        column.name = Field(row, 1);
        column.type_sql = Field(row, 4);
        column.generated = Field(row, 5) == "t";
        column.not_null = Field(row, 6) == "t";
        if (row[7]) column.collation = *row[7];
        if (row[8]) column.generation = *row[8];
        if (row.size() > 9 && row[9]) column.nondeterministic_collation = *row[9];
        db.DescribeColumnType(static_cast<uint32_t>(std::stoul(Field(row, 2))),
                              std::stoi(Field(row, 3)), column);
        catalog.tables[table_index_by_oid.at(oid)].columns.push_back(std::move(column));
    }

    const std::string oid_array = TextArrayLiteral(oids);
    Statement sequence_uses{kSequenceUsesSql, {}};
    sequence_uses.Bind(oid_array);
    for (const Row& row : db.Query(sequence_uses, Visibility::kLatest)) {
        auto found = table_index_by_oid.find(static_cast<uint32_t>(std::stoul(Field(row, 0))));
        if (found == table_index_by_oid.end()) continue;
        for (ColumnInfo& column : catalog.tables[found->second].columns)
            if (column.name == Field(row, 1))
                column.sequences.push_back(static_cast<uint32_t>(std::stoul(Field(row, 2))));
    }
    ReadGrouped(
        db, kForeignKeysSql, oid_array, catalog.foreign_keys,
        [](const Row& row) {
            return ForeignKey{
                Field(row, 1), Field(row, 0), {}, Field(row, 2), Field(row, 3), {}, {}};
        },
        [](ForeignKey& key, const Row& row) {
            key.columns.push_back(Field(row, 4));
            key.referenced_columns.push_back(Field(row, 5));
            if (row.size() > 6) key.equality_operators.push_back(Field(row, 6));
            if (row.size() > 7) key.validated = Field(row, 7) == "t";
        });
    ReadChecks(db, Scope::kTables, oid_array, catalog.checks);
    ReadChecks(db, Scope::kPartitions, schema, catalog.checks);
    ReadIndexes(db, Scope::kTables, oid_array, catalog.indexes);
    ReadIndexes(db, Scope::kPartitions, schema, catalog.indexes);
    ReadGrouped(
        db, kExclusionsSql, oid_array, catalog.exclusions,
        [](const Row& row) {
            return ExclusionConstraint{Field(row, 1), Field(row, 0), {}};
        },
        [](ExclusionConstraint& constraint, const Row& row) {
            constraint.columns.push_back(Field(row, 2));
        });

    Statement generated{kGeneratedSql, {}};
    generated.Bind(oid_array);
    for (const Row& row : db.Query(generated, Visibility::kLatest)) {
        TableInfo& table =
            catalog.tables[table_index_by_oid.at(static_cast<uint32_t>(std::stoul(Field(row, 0))))];
        for (ColumnInfo& column : table.columns)
            if (column.name == Field(row, 1) && row[2]) column.generated_from.push_back(*row[2]);
    }
    Statement leaves{kLeavesSql, {}};
    leaves.Bind(schema);
    for (const Row& row : db.Query(leaves, Visibility::kLatest)) {
        auto found = table_index_by_oid.find(static_cast<uint32_t>(std::stoul(Field(row, 0))));
        if (found == table_index_by_oid.end()) continue;  // an extension's table
        TableInfo& table = catalog.tables[found->second];
        (Field(row, 1) == "f" ? table.foreign_leaves : table.leaves)
            .push_back({Field(row, 2), Field(row, 3)});
    }
    Statement keys{kPartitionKeysSql, {}};
    keys.Bind(schema);
    for (const Row& row : db.Query(keys, Visibility::kLatest))
        catalog.partition_keys.push_back({Field(row, 0), Field(row, 1), Field(row, 2)});

    return catalog;
}

template <typename Record>
void Append(std::vector<Record>& to, std::vector<Record>& from, const std::string& schema) {
    for (Record& record : from) {
        record.schema = schema;
        to.push_back(std::move(record));
    }
}

}  // namespace

SourceCatalog ReadSourceCatalog(Database& db, const std::vector<std::string>& schemas) {
    SourceCatalog catalog;
    std::set<uint32_t> sequence_oids;
    for (const std::string& schema : schemas) {
        SourceCatalog part = ReadSchema(db, schema);
        catalog.schemas.push_back(schema);
        Append(catalog.tables, part.tables, schema);
        Append(catalog.foreign_keys, part.foreign_keys, schema);
        Append(catalog.checks, part.checks, schema);
        Append(catalog.indexes, part.indexes, schema);
        Append(catalog.partition_keys, part.partition_keys, schema);
        Append(catalog.exclusions, part.exclusions, schema);
        Append(catalog.other_relations, part.other_relations, schema);
        // A sequence of one schema that a table of another draws from is
        // found by both reads.
        for (SequenceInfo& sequence : part.sequences)
            if (sequence_oids.insert(sequence.oid).second)
                catalog.sequences.push_back(std::move(sequence));
    }
    return catalog;
}

bool Index::HasExpressions() const {
    for (const std::string& expression : expressions)
        if (!expression.empty()) return true;
    return false;
}

std::vector<std::string> Index::ColumnsRead() const {
    if (!reads.empty()) return reads;
    std::vector<std::string> read;
    for (const std::string& column : columns)
        if (!column.empty()) read.push_back(column);
    return read;
}

const TableInfo* FindTable(const SourceCatalog& catalog, const std::string& schema,
                           const std::string& name) {
    for (const TableInfo& table : catalog.tables)
        if (table.schema == schema && table.name == name) return &table;
    return nullptr;
}

}  // namespace scrub

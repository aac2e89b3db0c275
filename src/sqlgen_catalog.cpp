// SQL text for reading the catalog (sqlgen_catalog.h).
#include "sqlgen_catalog.h"

#include <string>
#include <utility>
#include <vector>

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
SELECT s.oid, n.nspname, s.relname, s.relowner, pg_catalog.pg_get_userbyid(s.relowner)
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

// `sql` with `key` bound as $1.
Statement WithKey(std::string sql, const std::string& key) {
    Statement statement{std::move(sql), {}};
    statement.Bind(key);
    return statement;
}

}  // namespace

Statement CatalogRelations(const std::string& schema) { return WithKey(kRelationsSql, schema); }

Statement CatalogOtherRelations(const std::string& schema) {
    return WithKey(kOtherRelationsSql, schema);
}

Statement CatalogSequences(const std::string& schema) { return WithKey(kSequencesSql, schema); }

Statement CatalogColumns(const std::vector<std::string>& oids) {
    return WithKey(ColumnsSql(), TextArrayLiteral(oids));
}

Statement CatalogSequenceUses(const std::vector<std::string>& oids) {
    return WithKey(kSequenceUsesSql, TextArrayLiteral(oids));
}

Statement CatalogForeignKeys(const std::vector<std::string>& oids) {
    return WithKey(kForeignKeysSql, TextArrayLiteral(oids));
}

Statement CatalogTableChecks(const std::vector<std::string>& oids) {
    return WithKey(ChecksSql(Scope::kTables), TextArrayLiteral(oids));
}

Statement CatalogPartitionChecks(const std::string& schema) {
    return WithKey(ChecksSql(Scope::kPartitions), schema);
}

Statement CatalogTableIndexes(const std::vector<std::string>& oids) {
    return WithKey(IndexesSql(Scope::kTables), TextArrayLiteral(oids));
}

Statement CatalogPartitionIndexes(const std::string& schema) {
    return WithKey(IndexesSql(Scope::kPartitions), schema);
}

Statement CatalogTableIndexColumns(const std::vector<std::string>& oids) {
    return WithKey(IndexColumnsSql(Scope::kTables), TextArrayLiteral(oids));
}

Statement CatalogPartitionIndexColumns(const std::string& schema) {
    return WithKey(IndexColumnsSql(Scope::kPartitions), schema);
}

Statement CatalogExclusions(const std::vector<std::string>& oids) {
    return WithKey(kExclusionsSql, TextArrayLiteral(oids));
}

Statement CatalogGeneratedColumns(const std::vector<std::string>& oids) {
    return WithKey(kGeneratedSql, TextArrayLiteral(oids));
}

Statement CatalogPartitionLeaves(const std::string& schema) { return WithKey(kLeavesSql, schema); }

Statement CatalogPartitionKeys(const std::string& schema) {
    return WithKey(kPartitionKeysSql, schema);
}

}  // namespace scrub

// Reads each covered schema's tables, columns and sequences from the
// system catalogs. Runs under the function's pinned search_path; operators are
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

// Columns with their collation (when not the type's default), for a
// generated column its expression, and their collation when it is
// nondeterministic.
const char* kColumnsSql = R"SQL(
SELECT a.attrelid, a.attname, a.atttypid, a.atttypmod,
       pg_catalog.format_type(a.atttypid, a.atttypmod),
       a.attgenerated OPERATOR(pg_catalog.<>) '', a.attnotnull,
       (SELECT pg_catalog.format('%s.%s', pg_catalog.quote_ident(ln.nspname),
                                 pg_catalog.quote_ident(l.collname))
          FROM pg_catalog.pg_collation l
          JOIN pg_catalog.pg_namespace ln ON ln.oid OPERATOR(pg_catalog.=) l.collnamespace
         WHERE l.oid OPERATOR(pg_catalog.=) a.attcollation
           AND a.attcollation OPERATOR(pg_catalog.<>) t.typcollation),
       CASE WHEN a.attgenerated OPERATOR(pg_catalog.<>) '' THEN
           (SELECT pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) FROM pg_catalog.pg_attrdef ad
             WHERE ad.adrelid OPERATOR(pg_catalog.=) a.attrelid
               AND ad.adnum OPERATOR(pg_catalog.=) a.attnum) END,
       (SELECT pg_catalog.format('%s.%s', pg_catalog.quote_ident(ln.nspname),
                                 pg_catalog.quote_ident(l.collname))
          FROM pg_catalog.pg_collation l
          JOIN pg_catalog.pg_namespace ln ON ln.oid OPERATOR(pg_catalog.=) l.collnamespace
         WHERE l.oid OPERATOR(pg_catalog.=) a.attcollation AND NOT l.collisdeterministic)
  FROM pg_catalog.pg_attribute a
  JOIN pg_catalog.pg_type t ON t.oid OPERATOR(pg_catalog.=) a.atttypid
 WHERE a.attrelid OPERATOR(pg_catalog.=) ANY (CAST($1 AS pg_catalog.oid[]))
   AND a.attnum OPERATOR(pg_catalog.>) 0
   AND NOT a.attisdropped
 ORDER BY a.attrelid, a.attnum
)SQL";

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

// Indexes of the given tables, one row per key column: its name (NULL
// for an expression), its expression deparsed under the pinned search_path,
// the index's collation, and the predicate of a partial index. Indexes of
// exclusion constraints are read by kExclusionsSql.
const char* kIndexesSql = R"SQL(
SELECT c.relname, i.relname, a.attname, ix.indnullsnotdistinct,
       (SELECT pg_catalog.format('%s.%s', pg_catalog.quote_ident(ln.nspname),
                                 pg_catalog.quote_ident(l.collname))
          FROM pg_catalog.pg_collation l
          JOIN pg_catalog.pg_namespace ln ON ln.oid OPERATOR(pg_catalog.=) l.collnamespace
         WHERE l.oid OPERATOR(pg_catalog.=) k.collid),
       ix.indisunique,
       CASE WHEN k.attnum OPERATOR(pg_catalog.=) 0 THEN
           pg_catalog.pg_get_indexdef(ix.indexrelid, CAST(k.ord AS pg_catalog.int4), true) END,
       pg_catalog.pg_get_expr(ix.indpred, ix.indrelid),
       (SELECT NOT l.collisdeterministic FROM pg_catalog.pg_collation l
         WHERE l.oid OPERATOR(pg_catalog.=) k.collid), ix.indisprimary
  FROM pg_catalog.pg_index ix
  JOIN pg_catalog.pg_class i ON i.oid OPERATOR(pg_catalog.=) ix.indexrelid
  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) ix.indrelid
 CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(CAST(ix.indkey AS pg_catalog.int2[])),
                               pg_catalog.unnest(CAST(ix.indcollation AS pg_catalog.oid[])))
       WITH ORDINALITY AS k(attnum, collid, ord)
  LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) ix.indrelid
                                     AND a.attnum OPERATOR(pg_catalog.=) k.attnum
                                     AND k.attnum OPERATOR(pg_catalog.<>) 0
 WHERE k.ord OPERATOR(pg_catalog.<=) ix.indnkeyatts
   AND ix.indrelid OPERATOR(pg_catalog.=) ANY (CAST($1 AS pg_catalog.oid[]))
   AND NOT EXISTS (SELECT FROM pg_catalog.pg_constraint x
                    WHERE x.conindid OPERATOR(pg_catalog.=) ix.indexrelid
                      AND x.contype OPERATOR(pg_catalog.=) 'x')
 ORDER BY c.relname, i.relname, k.ord
)SQL";

// Every column each index of the given tables reads: its key and INCLUDE
// columns, and those its expressions or predicate read (recorded as
// dependencies of the index on its table's columns).
const char* kIndexColumnsSql = R"SQL(
SELECT DISTINCT c.relname, i.relname, a.attname, a.attnum
  FROM pg_catalog.pg_index ix
  JOIN pg_catalog.pg_class i ON i.oid OPERATOR(pg_catalog.=) ix.indexrelid
  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) ix.indrelid
  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) ix.indrelid
 WHERE ix.indrelid OPERATOR(pg_catalog.=) ANY (CAST($1 AS pg_catalog.oid[]))
   AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
   AND (a.attnum OPERATOR(pg_catalog.=) ANY (CAST(ix.indkey AS pg_catalog.int2[]))
        OR EXISTS (SELECT FROM pg_catalog.pg_depend d
                    WHERE d.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_class' AS pg_catalog.regclass)
                      AND d.objid OPERATOR(pg_catalog.=) ix.indexrelid
                      AND d.refclassid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_class' AS pg_catalog.regclass)
                      AND d.refobjid OPERATOR(pg_catalog.=) ix.indrelid
                      AND d.refobjsubid OPERATOR(pg_catalog.=) a.attnum))
 ORDER BY 1, 2, 4
)SQL";

// Indexes of partitions in the trees under the schema's root tables (in
// any schema) that are not attached to an index of their parent, with the
// partition's constraint; as kIndexesSql, named by the root. Only
// partitions that the root's owner owns: the run evaluates them as that
// role, and another owner's index code must not run with its rights.
const char* kPartitionIndexesSql = R"SQL(
SELECT r.relname, i.relname, a.attname, ix.indnullsnotdistinct,
       (SELECT pg_catalog.format('%s.%s', pg_catalog.quote_ident(ln.nspname),
                                 pg_catalog.quote_ident(l.collname))
          FROM pg_catalog.pg_collation l
          JOIN pg_catalog.pg_namespace ln ON ln.oid OPERATOR(pg_catalog.=) l.collnamespace
         WHERE l.oid OPERATOR(pg_catalog.=) k.collid),
       ix.indisunique,
       CASE WHEN k.attnum OPERATOR(pg_catalog.=) 0 THEN
           pg_catalog.pg_get_indexdef(ix.indexrelid, CAST(k.ord AS pg_catalog.int4), true) END,
       pg_catalog.pg_get_expr(ix.indpred, ix.indrelid),
       pg_catalog.format('%s.%s', pn.nspname, p.relname),
       pg_catalog.pg_get_partition_constraintdef(p.oid)
  FROM pg_catalog.pg_class r
  JOIN pg_catalog.pg_namespace rn ON rn.oid OPERATOR(pg_catalog.=) r.relnamespace
 CROSS JOIN LATERAL pg_catalog.pg_partition_tree(r.oid) AS t
  JOIN pg_catalog.pg_class p ON p.oid OPERATOR(pg_catalog.=) t.relid
  JOIN pg_catalog.pg_namespace pn ON pn.oid OPERATOR(pg_catalog.=) p.relnamespace
  JOIN pg_catalog.pg_index ix ON ix.indrelid OPERATOR(pg_catalog.=) p.oid
  JOIN pg_catalog.pg_class i ON i.oid OPERATOR(pg_catalog.=) ix.indexrelid
 CROSS JOIN LATERAL ROWS FROM (pg_catalog.unnest(CAST(ix.indkey AS pg_catalog.int2[])),
                               pg_catalog.unnest(CAST(ix.indcollation AS pg_catalog.oid[])))
       WITH ORDINALITY AS k(attnum, collid, ord)
  LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) ix.indrelid
                                     AND a.attnum OPERATOR(pg_catalog.=) k.attnum
                                     AND k.attnum OPERATOR(pg_catalog.<>) 0
 WHERE rn.nspname OPERATOR(pg_catalog.=) $1
   AND r.relkind OPERATOR(pg_catalog.=) 'p' AND NOT r.relispartition
   AND p.oid OPERATOR(pg_catalog.<>) r.oid AND p.relowner OPERATOR(pg_catalog.=) r.relowner
   AND k.ord OPERATOR(pg_catalog.<=) ix.indnkeyatts
   AND NOT EXISTS (SELECT FROM pg_catalog.pg_inherits h
                    WHERE h.inhrelid OPERATOR(pg_catalog.=) ix.indexrelid)
   AND NOT EXISTS (SELECT FROM pg_catalog.pg_constraint x
                    WHERE x.conindid OPERATOR(pg_catalog.=) ix.indexrelid
                      AND x.contype OPERATOR(pg_catalog.=) 'x')
 ORDER BY r.relname, i.relname, k.ord
)SQL";

// The columns those indexes read, as kIndexColumnsSql.
const char* kPartitionIndexColumnsSql = R"SQL(
SELECT DISTINCT r.relname, i.relname, a.attname, a.attnum
  FROM pg_catalog.pg_class r
  JOIN pg_catalog.pg_namespace rn ON rn.oid OPERATOR(pg_catalog.=) r.relnamespace
 CROSS JOIN LATERAL pg_catalog.pg_partition_tree(r.oid) AS t
  JOIN pg_catalog.pg_index ix ON ix.indrelid OPERATOR(pg_catalog.=) t.relid
  JOIN pg_catalog.pg_class i ON i.oid OPERATOR(pg_catalog.=) ix.indexrelid
  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) ix.indrelid
 WHERE rn.nspname OPERATOR(pg_catalog.=) $1
   AND r.relkind OPERATOR(pg_catalog.=) 'p' AND NOT r.relispartition
   AND t.relid OPERATOR(pg_catalog.<>) r.oid
   AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
   AND (a.attnum OPERATOR(pg_catalog.=) ANY (CAST(ix.indkey AS pg_catalog.int2[]))
        OR EXISTS (SELECT FROM pg_catalog.pg_depend d
                    WHERE d.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_class' AS pg_catalog.regclass)
                      AND d.objid OPERATOR(pg_catalog.=) ix.indexrelid
                      AND d.refclassid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_class' AS pg_catalog.regclass)
                      AND d.refobjid OPERATOR(pg_catalog.=) ix.indrelid
                      AND d.refobjsubid OPERATOR(pg_catalog.=) a.attnum))
 ORDER BY 1, 2, 4
)SQL";

// Validated CHECK constraints of the given tables, one row per column they
// read, with the expression deparsed under the pinned search_path (so every
// name outside pg_catalog is qualified).
const char* kChecksSql = R"SQL(
SELECT c.relname, con.conname, pg_catalog.pg_get_expr(con.conbin, con.conrelid), a.attname
  FROM pg_catalog.pg_constraint con
  JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) con.conrelid
 CROSS JOIN LATERAL pg_catalog.unnest(con.conkey) AS k(attnum)
  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) con.conrelid
                                AND a.attnum OPERATOR(pg_catalog.=) k.attnum
 WHERE con.contype OPERATOR(pg_catalog.=) 'c' AND con.convalidated
   AND con.conrelid OPERATOR(pg_catalog.=) ANY (CAST($1 AS pg_catalog.oid[]))
 ORDER BY c.relname, con.conname, a.attnum
)SQL";

// Validated CHECK constraints of partitions in the trees under the
// schema's root tables (in any schema) that they do not inherit, one row
// per column read, with the partition's constraint; named by the root.
// Only partitions the root's owner owns, as for kPartitionIndexesSql.
const char* kPartitionChecksSql = R"SQL(
SELECT r.relname, con.conname, pg_catalog.pg_get_expr(con.conbin, con.conrelid), a.attname,
       pg_catalog.format('%s.%s', pn.nspname, p.relname),
       pg_catalog.pg_get_partition_constraintdef(p.oid)
  FROM pg_catalog.pg_class r
  JOIN pg_catalog.pg_namespace rn ON rn.oid OPERATOR(pg_catalog.=) r.relnamespace
 CROSS JOIN LATERAL pg_catalog.pg_partition_tree(r.oid) AS t
  JOIN pg_catalog.pg_class p ON p.oid OPERATOR(pg_catalog.=) t.relid
  JOIN pg_catalog.pg_namespace pn ON pn.oid OPERATOR(pg_catalog.=) p.relnamespace
  JOIN pg_catalog.pg_constraint con ON con.conrelid OPERATOR(pg_catalog.=) p.oid
 CROSS JOIN LATERAL pg_catalog.unnest(con.conkey) AS k(attnum)
  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) con.conrelid
                                AND a.attnum OPERATOR(pg_catalog.=) k.attnum
 WHERE rn.nspname OPERATOR(pg_catalog.=) $1
   AND r.relkind OPERATOR(pg_catalog.=) 'p' AND NOT r.relispartition
   AND p.oid OPERATOR(pg_catalog.<>) r.oid AND p.relowner OPERATOR(pg_catalog.=) r.relowner
   AND con.contype OPERATOR(pg_catalog.=) 'c' AND con.convalidated
   AND con.coninhcount OPERATOR(pg_catalog.=) 0
 ORDER BY r.relname, con.conname, pn.nspname, p.relname, a.attnum
)SQL";

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

    Statement columns{kColumnsSql, {}};
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
    ReadGrouped(
        db, kChecksSql, oid_array, catalog.checks,
        [](const Row& row) {
            return CheckConstraint{Field(row, 1), Field(row, 0), Field(row, 2), {}};
        },
        [](CheckConstraint& check, const Row& row) { check.columns.push_back(Field(row, 3)); });
    Statement partition_checks{kPartitionChecksSql, {}};
    partition_checks.Bind(schema);
    std::vector<CheckConstraint> local_checks;
    for (const Row& row : db.Query(partition_checks, Visibility::kLatest)) {
        if (local_checks.empty() || local_checks.back().table != Field(row, 0) ||
            local_checks.back().name != Field(row, 1) ||
            local_checks.back().partition != Field(row, 4))
            local_checks.push_back({Field(row, 1),
                                    Field(row, 0),
                                    Field(row, 2),
                                    {},
                                    Field(row, 4),
                                    row[5].value_or("")});
        local_checks.back().columns.push_back(Field(row, 3));
    }
    for (CheckConstraint& check : local_checks) catalog.checks.push_back(std::move(check));
    ReadGrouped(
        db, kIndexesSql, oid_array, catalog.indexes,
        [](const Row& row) {
            Index index{Field(row, 1), Field(row, 0), {}, {}, Field(row, 3) == "t"};
            index.unique = Field(row, 5) == "t";
            index.predicate = row[7].value_or("");
            index.primary = row.size() > 9 && row[9].value_or("") == "t";
            return index;
        },
        [](Index& index, const Row& row) {
            index.columns.push_back(row[2].value_or(""));
            index.collations.push_back(row[4].value_or(""));
            index.expressions.push_back(row[6].value_or(""));
            index.nondeterministic.push_back(row.size() > 8 && row[8].value_or("") == "t");
        });
    Statement index_columns{kIndexColumnsSql, {}};
    index_columns.Bind(oid_array);
    for (const Row& row : db.Query(index_columns, Visibility::kLatest))
        for (Index& index : catalog.indexes)
            if (index.partition.empty() && index.table == Field(row, 0) &&
                index.name == Field(row, 1))
                index.reads.push_back(Field(row, 2));
    std::vector<Index> partition_indexes;
    Statement partition_index_rows{kPartitionIndexesSql, {}};
    partition_index_rows.Bind(schema);
    for (const Row& row : db.Query(partition_index_rows, Visibility::kLatest)) {
        if (partition_indexes.empty() || partition_indexes.back().table != Field(row, 0) ||
            partition_indexes.back().name != Field(row, 1)) {
            Index index{Field(row, 1), Field(row, 0), {}, {}, Field(row, 3) == "t"};
            index.unique = Field(row, 5) == "t";
            index.predicate = row[7].value_or("");
            index.partition = Field(row, 8);
            index.partition_constraint = row[9].value_or("");
            partition_indexes.push_back(std::move(index));
        }
        Index& index = partition_indexes.back();
        index.columns.push_back(row[2].value_or(""));
        index.collations.push_back(row[4].value_or(""));
        index.expressions.push_back(row[6].value_or(""));
    }
    Statement partition_index_columns{kPartitionIndexColumnsSql, {}};
    partition_index_columns.Bind(schema);
    for (const Row& row : db.Query(partition_index_columns, Visibility::kLatest))
        for (Index& index : partition_indexes)
            if (index.table == Field(row, 0) && index.name == Field(row, 1))
                index.reads.push_back(Field(row, 2));
    for (Index& index : partition_indexes) catalog.indexes.push_back(std::move(index));
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

// What scrub knows of the schemas a run covers: tables and their partition
// trees, their columns' types, sequences, constraints, indexes, and the
// relations scrub does not copy. Plain structs filled by
// catalog.cpp through the Database interface; no PostgreSQL headers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace scrub {

class Database;

// A column's type after domains are looked through and, for arrays, after
// the element type is taken: the type a fake has to be made of.
struct ScalarType {
    std::string schema;   // namespace of the scalar type, e.g. "pg_catalog"
    std::string name;     // type name, e.g. "varchar"
    char typtype = 'b';   // pg_type.typtype: 'b' base, 'e' enum, 'c' composite, ...
    int32_t typmod = -1;  // the scalar's own type modifier
    int enum_labels = 0;  // for an enum: how many labels it has
};

// How the unique indexes (primary keys and UNIQUE constraints included) of
// a column's table use it, those unique by kept columns alone left out.
enum class UniqueUse {
    kNone,
    kRead,  // read by one, but no key of it: an INCLUDE column or its predicate's
    kKey,   // a key column of one, or read by a key expression: its fakes must differ
};

struct ColumnInfo {
    std::string name;
    std::string type_sql;  // format_type() under a pinned search_path: valid SQL
    ScalarType scalar;
    bool is_array = false;
    bool generated = false;  // GENERATED ALWAYS AS (...) STORED: never copied
    bool not_null = false;   // attnotnull
    // The column's collation as a qualified name, when it is not its type's
    // default (the scratch column gets it, so comparisons match the source).
    std::string collation;
    // The column's collation (its own, its domain's or its type's),
    // qualified, when that collation is nondeterministic: its equality is
    // then not equality of bytes ('Alice' = 'alice' under a case-insensitive
    // one), which a hash cannot follow. Empty otherwise.
    std::string nondeterministic_collation;
    // The sequences (OIDs) its default or identity draws from.
    std::vector<uint32_t> sequences;
    // For a generated column: its expression (names qualified) and the
    // columns it reads.
    std::string generation;
    std::vector<std::string> generated_from;
    // Set by BuildPlan from the table's unique indexes; `unique_index` names
    // the first one that makes the column a key (kKey).
    UniqueUse unique_use = UniqueUse::kNone;
    std::string unique_index;
};

// A relation named by schema and name.
struct RelationName {
    std::string schema;
    std::string name;
};

struct TableInfo {
    std::string name;
    uint32_t oid = 0;
    bool partitioned = false;  // relkind 'p': its rows live in partitions
    std::string partition_of;  // for a partition, its root table; else empty
    uint32_t owner_oid = 0;    // the role whose rights read and check its rows
    std::string owner;
    std::vector<ColumnInfo> columns;
    std::string partition_of_schema;  // for a partition, its root's schema
    // For a partitioned table outside any tree: the leaf partitions of its
    // tree (any schema) whose rows are copied, and its foreign partitions,
    // whose rows live on another server and are never read.
    std::vector<RelationName> leaves;
    std::vector<RelationName> foreign_leaves;
    std::string schema;  // the schema the table is in
};

// A column read by the partition key of a partitioned table at any level
// of the tree under a root table of the source schema.
struct PartitionKeyColumn {
    std::string table;        // the root, in `schema`
    std::string partitioned;  // "schema.name" of the partitioned table whose key reads it
    std::string column;
    std::string schema;
};

// An exclusion constraint of a source table and the columns it reads.
struct ExclusionConstraint {
    std::string name;
    std::string table;
    std::vector<std::string> columns;
    std::string schema;  // the table's
};

// A relation of a covered schema that is not a table scrub copies: a
// view, materialized view, foreign table, ...
struct OtherRelation {
    std::string name;
    std::string kind;  // "view", "materialized view", "foreign table", ...
    std::string schema;
};

// A foreign key constraint of a table of any covered schema (not one
// cloned onto a partition from its parent).
struct ForeignKey {
    std::string name;
    std::string table;  // the referencing table, in `schema`
    std::vector<std::string> columns;
    std::string referenced_schema;
    std::string referenced_table;
    std::vector<std::string> referenced_columns;
    std::string schema;  // the referencing table's
    // Per column pair: the constraint's equality operator (conpfeqop) as
    // OPERATOR(schema.name).
    std::vector<std::string> equality_operators;
    // False for a NOT VALID constraint: rows may break it in the source,
    // and a restore does not check them.
    bool validated = true;
};

// A validated CHECK constraint of a source table.
struct CheckConstraint {
    std::string name;
    std::string table;
    std::string expression;            // pg_get_expr(), names qualified
    std::vector<std::string> columns;  // the columns it reads
    // For a CHECK of a partition only (not inherited from its parent):
    // `table` is the root; as for Index.
    std::string partition;
    std::string partition_constraint;
    std::string schema;  // the table's
};

// An index of a source table (the index of a PRIMARY KEY or UNIQUE
// constraint included; those of exclusion constraints are not), with what
// a restore evaluates when it builds the index over the copied rows.
struct Index {
    std::string name;
    std::string table;
    std::vector<std::string> columns;  // per key column: its name, or empty for an expression
    std::vector<std::string>
        collations;  // per key column: the index's collation, qualified, or empty
    bool nulls_not_distinct = false;
    bool unique = true;
    bool primary = false;                  // the index of a PRIMARY KEY constraint
    std::vector<std::string> expressions;  // per key column: its expression, or empty for a column
    std::string predicate;                 // WHERE of a partial index, or empty
    std::vector<std::string> reads;  // every column keys and predicate read (empty: `columns`)
    // For an index of a partition only (not on its partitioned table):
    // `table` is the root, and these say which partition and which of the
    // root's rows it holds (pg_get_partition_constraintdef()).
    std::string partition;  // "schema.name", unquoted, for messages
    std::string partition_constraint;
    std::string schema;  // the table's
    // Per key column: whether its collation is nondeterministic.
    std::vector<bool> nondeterministic;

    bool HasExpressions() const;
    // The columns the index reads: `reads`, or the key columns if that is empty.
    std::vector<std::string> ColumnsRead() const;
};

// A sequence whose value the manifest records: one of the source schema, or
// one in any schema that a source table's default or identity draws from.
struct SequenceInfo {
    uint32_t oid = 0;
    std::string schema;
    std::string name;
    // The role whose rights read its value (the name could lead to a view
    // by then: see ReadSequence in sqlgen_run.h).
    uint32_t owner_oid = 0;
    std::string owner;
};

// Every record names its table by `schema` and name: a run covers
// several schemas, which may hold tables of one name.
struct SourceCatalog {
    std::vector<std::string> schemas;  // the schemas read, in the order given
    std::vector<TableInfo> tables;     // ordinary and partitioned tables and partitions
    std::vector<SequenceInfo> sequences;
    std::vector<ForeignKey> foreign_keys;
    std::vector<CheckConstraint> checks;
    std::vector<Index> indexes;
    std::vector<PartitionKeyColumn> partition_keys;
    std::vector<ExclusionConstraint> exclusions;
    std::vector<OtherRelation> other_relations;
};

// Reads tables, columns and sequences of every schema of `schemas`,
// leaving out objects that belong to an extension (they are not the
// application's data). Foreign keys, checks and indexes of every table are
// read whichever schema they point into; a sequence used by tables of
// several schemas is listed once.
SourceCatalog ReadSourceCatalog(Database& db, const std::vector<std::string>& schemas);

// The table `name` of schema `schema`, or nullptr.
const TableInfo* FindTable(const SourceCatalog& catalog, const std::string& schema,
                           const std::string& name);

}  // namespace scrub

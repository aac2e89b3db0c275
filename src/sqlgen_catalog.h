// SQL text for reading the source catalog (catalog.cpp runs it and reads
// the rows): each covered schema's tables and their partition trees and
// partition keys, the relations scrub does not copy, sequences, columns
// and the sequences they draw from, foreign keys, CHECK and exclusion
// constraints, indexes and the columns they read, generated columns.
// Pure functions of a schema name or a list of table OIDs, each bound as
// the statement's one parameter ($1); no name reaches the text. Every
// function, operator and type is pg_catalog-qualified, so the text is
// safe under any search_path (runs pin theirs to pg_catalog, pg_temp).
//
// A schema's "partitions" are the members of the partition trees whose
// root is a table of that schema, in any schema, other than the root,
// and only those the root's owner owns: the run evaluates their
// expressions as that role, and another owner's code must not run with
// its rights. Their rows name the root as their table, and add the
// partition (schema.name) and its partition constraint.
#pragma once

#include <string>
#include <vector>

#include "statement.h"

namespace scrub {

// --- Relations of a schema -----------------------------------------------

// Tables (plain and partitioned) of schema `schema`, without extension
// members, by name: (oid, name, relkind, root table's name and schema for
// a partition or NULL, owner OID, owner name).
Statement CatalogRelations(const std::string& schema);

// Relations of schema `schema` that scrub does not copy (views,
// materialized views, foreign tables, sequences, composite types), so that
// an allowlist entry naming one is told what it names: (name, kind in
// words), by name.
Statement CatalogOtherRelations(const std::string& schema);

// Sequences of schema `schema` (not extension members), and sequences in
// any schema that a default or identity of one of the schema's tables
// draws from, since a restore must set each or the first insert collides
// with copied keys: (oid, schema, name, owner OID, owner), by schema and
// name.
Statement CatalogSequences(const std::string& schema);

// The leaf partitions and foreign partitions of every partition tree whose
// root is a table of schema `schema`, in any schema: (root OID, relkind,
// schema, name), by root.
Statement CatalogPartitionLeaves(const std::string& schema);

// The columns that the partition key of each partitioned table in those
// trees reads: plain key columns, and those a key expression reads
// (recorded as internal dependencies of the column on its own table):
// (root name, partitioned table as schema.name quoted, column).
Statement CatalogPartitionKeys(const std::string& schema);

// --- Columns of tables, by OID ---------------------------------------------

// The columns of the tables with OIDs `oids`, by table and position:
// (table OID, name, type OID, typmod, format_type(), generated, NOT NULL,
// collation when not the type's default, a generated column's expression,
// the collation again when it is nondeterministic). Collations are
// schema.name, quoted.
Statement CatalogColumns(const std::vector<std::string>& oids);

// The sequences each column of the tables `oids` draws from, those its
// default reads (serial, nextval()) and its identity sequence: (table OID,
// column, sequence OID).
Statement CatalogSequenceUses(const std::vector<std::string>& oids);

// Generated columns of the tables `oids` with the columns their
// expression reads, one row each (a generated column reading none has one
// row with NULL there): (table OID, column, column read).
Statement CatalogGeneratedColumns(const std::vector<std::string>& oids);

// --- Constraints and indexes -----------------------------------------------

// Foreign keys of the tables `oids` (not those cloned from a parent
// table's), one row per column pair in key order: (table, constraint, referenced schema
// and table, column, referenced column, equality operator as
// OPERATOR(schema.op), validated).
Statement CatalogForeignKeys(const std::vector<std::string>& oids);

// Exclusion constraints of the tables `oids` with every column they read:
// their key columns, and those their index's expressions or predicate
// read: (table, constraint, column, position).
Statement CatalogExclusions(const std::vector<std::string>& oids);

// Validated CHECK constraints, one row per column they read: (table,
// constraint, expression deparsed under the pinned search_path, column,
// partition, partition constraint); ordered by table, constraint and
// partition. Of the tables `oids` (partition columns NULL), or of the
// partitions of schema `schema`, only the constraints they do not
// inherit.
Statement CatalogTableChecks(const std::vector<std::string>& oids);
Statement CatalogPartitionChecks(const std::string& schema);

// Indexes, one row per key column: (table, index, column or NULL for an
// expression, NULLS NOT DISTINCT, the column's collation, UNIQUE, the
// expression deparsed under the pinned search_path, the predicate of a
// partial index, whether the collation is nondeterministic, PRIMARY KEY,
// partition, partition constraint); ordered by table, index and
// partition. Indexes of exclusion constraints are left out
// (CatalogExclusions reads those). Of the tables `oids`, or of the
// partitions of schema `schema`, only the indexes not attached to an
// index of their parent.
Statement CatalogTableIndexes(const std::vector<std::string>& oids);
Statement CatalogPartitionIndexes(const std::string& schema);

// Every column each index of the Catalog*Indexes statement of the same
// scope reads: its key and INCLUDE columns, and those its expressions or
// predicate read (recorded as dependencies of the index on its table's
// columns): (table, index, column, position, partition).
Statement CatalogTableIndexColumns(const std::vector<std::string>& oids);
Statement CatalogPartitionIndexColumns(const std::string& schema);

}  // namespace scrub

// Reads each covered schema's tables (with their partition trees and
// partition keys), columns, sequences, foreign keys, CHECK and exclusion
// constraints, indexes, generated columns and the relations it does not
// copy, from the system catalogs: runs the statements of sqlgen_catalog.h
// and reads their rows into the records of catalog.h.
#include "catalog.h"

#include <map>
#include <set>

#include "database.h"
#include "error.h"
#include "sqlgen_catalog.h"

#include "pure_only.h"  // last: no PostgreSQL header above

namespace scrub {
namespace {

const std::string& Field(const Row& row, size_t index) {
    if (index >= row.size() || !row[index])
        throw ScrubError(sqlstate::kInternalError, "unexpected NULL in catalog query result");
    return *row[index];
}

// Runs `statement`, whose rows, ordered by table and object name, give one
// column of a constraint each: `make` builds the record from the first row
// of each (table, name), `add` adds each row.
template <typename Record, typename Make, typename Add>
void ReadGrouped(Database& db, const Statement& statement, std::vector<Record>& records, Make make,
                 Add add) {
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

// Appends the CHECK constraints that `statement` (CatalogTableChecks or
// CatalogPartitionChecks) reads to `checks`.
void ReadChecks(Database& db, const Statement& statement, std::vector<CheckConstraint>& checks) {
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

// Appends the indexes that `statement` (CatalogTableIndexes or
// CatalogPartitionIndexes) reads, with the columns each reads from
// `columns` (the Catalog*IndexColumns of the same scope), to `indexes`.
void ReadIndexes(Database& db, const Statement& statement, const Statement& columns,
                 std::vector<Index>& indexes) {
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
    for (const Row& row : db.Query(columns, Visibility::kLatest))
        for (size_t i = first; i < indexes.size(); ++i)
            if (indexes[i].table == Field(row, 0) && indexes[i].name == Field(row, 1) &&
                indexes[i].partition == Optional(row, 4))
                indexes[i].reads.push_back(Field(row, 2));
}

// Reads one schema's part of the catalog; its records are not yet
// marked with their schema.
SourceCatalog ReadSchema(Database& db, const std::string& schema) {
    const Statement relations = CatalogRelations(schema);

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
    for (const Row& row : db.Query(CatalogOtherRelations(schema), Visibility::kLatest))
        catalog.other_relations.push_back({Field(row, 0), Field(row, 1)});
    for (const Row& row : db.Query(CatalogSequences(schema), Visibility::kLatest))
        catalog.sequences.push_back(
            {static_cast<uint32_t>(std::stoul(Field(row, 0))), Field(row, 1), Field(row, 2),
             static_cast<uint32_t>(std::stoul(Field(row, 3))), Field(row, 4)});
    if (catalog.tables.empty()) return catalog;

    for (const Row& row : db.Query(CatalogColumns(oids), Visibility::kLatest)) {
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

    for (const Row& row : db.Query(CatalogSequenceUses(oids), Visibility::kLatest)) {
        auto found = table_index_by_oid.find(static_cast<uint32_t>(std::stoul(Field(row, 0))));
        if (found == table_index_by_oid.end()) continue;
        for (ColumnInfo& column : catalog.tables[found->second].columns)
            if (column.name == Field(row, 1))
                column.sequences.push_back(static_cast<uint32_t>(std::stoul(Field(row, 2))));
    }
    ReadGrouped(
        db, CatalogForeignKeys(oids), catalog.foreign_keys,
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
    ReadChecks(db, CatalogTableChecks(oids), catalog.checks);
    ReadChecks(db, CatalogPartitionChecks(schema), catalog.checks);
    ReadIndexes(db, CatalogTableIndexes(oids), CatalogTableIndexColumns(oids), catalog.indexes);
    ReadIndexes(db, CatalogPartitionIndexes(schema), CatalogPartitionIndexColumns(schema),
                catalog.indexes);
    ReadGrouped(
        db, CatalogExclusions(oids), catalog.exclusions,
        [](const Row& row) {
            return ExclusionConstraint{Field(row, 1), Field(row, 0), {}};
        },
        [](ExclusionConstraint& constraint, const Row& row) {
            constraint.columns.push_back(Field(row, 2));
        });

    for (const Row& row : db.Query(CatalogGeneratedColumns(oids), Visibility::kLatest)) {
        TableInfo& table =
            catalog.tables[table_index_by_oid.at(static_cast<uint32_t>(std::stoul(Field(row, 0))))];
        for (ColumnInfo& column : table.columns)
            if (column.name == Field(row, 1) && row[2]) column.generated_from.push_back(*row[2]);
    }
    for (const Row& row : db.Query(CatalogPartitionLeaves(schema), Visibility::kLatest)) {
        auto found = table_index_by_oid.find(static_cast<uint32_t>(std::stoul(Field(row, 0))));
        if (found == table_index_by_oid.end()) continue;  // an extension's table
        TableInfo& table = catalog.tables[found->second];
        (Field(row, 1) == "f" ? table.foreign_leaves : table.leaves)
            .push_back({Field(row, 2), Field(row, 3)});
    }
    for (const Row& row : db.Query(CatalogPartitionKeys(schema), Visibility::kLatest))
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

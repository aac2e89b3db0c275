// Facts that more than one part of scrub states: the default schema names,
// the scratch schemas' names, PostgreSQL's name limit and the manifest's
// tables and columns. This header is their one definition in C++; the SQL
// scripts (scrub--*.sql) and bin/scrub-dump, which cannot include it, are
// checked against it by test/unit/facts_test.cpp. Pure: no PostgreSQL
// header.
#pragma once

#include <cstddef>
#include <string>

namespace scrub {

// The schema scrub_to_schema builds into, and the schema it reads, when
// the call names none (the SQL functions' DEFAULTs, scrub-dump's
// --target and --schema).
inline constexpr const char* kDefaultTargetSchema = "scrubbed";
inline constexpr const char* kDefaultSourceSchema = "public";

// A run builds into a fresh schema named kBuildSchemaPrefix + "<backend
// pid>_<random>" and renames it to the target at the end. The copy of a
// source schema other than the run's own lives in the scratch schema
// "<target>" + kScratchSchemaSeparator + "<schema>".
inline constexpr const char* kBuildSchemaPrefix = "scrub_build_";
inline constexpr const char* kScratchSchemaSeparator = "__";

// The longest name PostgreSQL keeps, in bytes (NAMEDATALEN - 1); it cuts
// longer ones short.
inline constexpr size_t kMaxNameBytes = 63;

// Whether PostgreSQL reserves schema name `name` for the system: CREATE
// SCHEMA refuses names beginning with "pg_".
inline bool IsReservedSchemaName(const std::string& name) { return name.rfind("pg_", 0) == 0; }

// Whether schema `name` is the system's: a reserved name, or the SQL
// standard's information_schema, which every database has.
inline bool IsSystemSchemaName(const std::string& name) {
    return IsReservedSchemaName(name) || name == "information_schema";
}

// The manifest: tables scrub reserves in the target schema.
inline constexpr const char* kManifestRunTable = "_scrub_run";
inline constexpr const char* kManifestTablesTable = "_scrub_tables";
inline constexpr const char* kManifestSequencesTable = "_scrub_sequences";

// A column of a manifest table, in the order of the table's definition.
struct ManifestColumn {
    const char* table;  // one of the kManifest*Table names
    const char* name;
    const char* type;  // schema-qualified, as CREATE TABLE takes it
    bool not_null;
};

// Every column of the manifest tables; CreateManifest (sqlgen.h) creates
// the tables from this list, and the rows a run writes fill them in this
// order.
inline constexpr ManifestColumn kManifestColumns[] = {
    {kManifestRunTable, "source_schema", "pg_catalog.text", true},
    {kManifestRunTable, "allowlist", "pg_catalog.jsonb", true},
    {kManifestRunTable, "allowlist_sha256", "pg_catalog.text", true},
    {kManifestRunTable, "extension_version", "pg_catalog.text", true},
    {kManifestRunTable, "started_at", "pg_catalog.timestamptz", true},
    {kManifestRunTable, "finished_at", "pg_catalog.timestamptz", true},
    {kManifestRunTable, "backend_pid", "pg_catalog.int4", true},
    {kManifestRunTable, "run_snapshot", "pg_catalog.text", false},
    {kManifestTablesTable, "table_name", "pg_catalog.text", true},
    {kManifestTablesTable, "copied", "pg_catalog.bool", true},
    {kManifestTablesTable, "source_rows", "pg_catalog.int8", false},
    {kManifestTablesTable, "copied_rows", "pg_catalog.int8", false},
    {kManifestTablesTable, "kept_columns", "pg_catalog.text[]", true},
    {kManifestTablesTable, "scrubbed_columns", "pg_catalog.text[]", true},
    {kManifestTablesTable, "milliseconds", "pg_catalog.numeric", false},
    {kManifestTablesTable, "source_signature", "pg_catalog.text", false},
    {kManifestTablesTable, "source_schema", "pg_catalog.text", true},
    {kManifestTablesTable, "scratch_schema", "pg_catalog.text", true},
    {kManifestTablesTable, "column_rules", "pg_catalog.jsonb", false},
    {kManifestTablesTable, "row_filter", "pg_catalog.text", false},
    {kManifestTablesTable, "leaked", "pg_catalog.jsonb", false},
    {kManifestSequencesTable, "sequence_name", "pg_catalog.text", true},
    {kManifestSequencesTable, "last_value", "pg_catalog.int8", true},
    {kManifestSequencesTable, "is_called", "pg_catalog.bool", true},
    {kManifestSequencesTable, "sequence_schema", "pg_catalog.text", true},
};

}  // namespace scrub

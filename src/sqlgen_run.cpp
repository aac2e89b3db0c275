// SQL text for the run's own steps around the copy (sqlgen_run.h).
#include "sqlgen_run.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "database.h"
#include "db_util.h"
#include "error.h"
#include "facts.h"

#include "pure_only.h"  // last: no PostgreSQL header above

namespace scrub {
namespace {

// Column `name` of manifest table `table`, quoted; fails if kManifestColumns
// has no such column, so that no statement names one the manifest lacks.
std::string ManifestColumnName(const char* table, const char* name, const IdentifierQuoter& quote) {
    for (const ManifestColumn& column : kManifestColumns)
        if (std::string(column.table) == table && std::string(column.name) == name)
            return quote(name);
    throw ScrubError(sqlstate::kInternalError,
                     std::string("manifest table ") + table + " has no column " + name);
}

// " (c1, c2, ...) " + `keyword` + " v1, v2, ...": every column of manifest
// table `table` in kManifestColumns' order, each with its value from
// `values`, which must give one for each column and no other.
std::string ManifestRow(const char* table, const std::map<std::string, std::string>& values,
                        const IdentifierQuoter& quote, const std::string& keyword) {
    std::string columns, row;
    size_t used = 0;
    for (const ManifestColumn& column : kManifestColumns) {
        if (std::string(column.table) != table) continue;
        auto value = values.find(column.name);
        if (value == values.end())
            throw ScrubError(
                sqlstate::kInternalError,
                std::string("no value for column ") + column.name + " of manifest table " + table);
        columns += (columns.empty() ? "" : ", ") + quote(column.name);
        row += (row.empty() ? "" : ", ") + value->second;
        ++used;
    }
    if (used != values.size())
        throw ScrubError(sqlstate::kInternalError,
                         std::string("a value names no column of manifest table ") + table);
    return " (" + columns + ") " + keyword + row;
}

// The source table's signature (scrub_table_signature(), called through
// the extension's schema), so that an export of this scratch schema can
// tell whether the table changed since; NULL for a table without rows.
std::string SignatureOf(const TablePlan& table, const std::string& signature_function,
                        Statement& statement) {
    if (!table.copy_rows || signature_function.empty()) return "CAST(NULL AS pg_catalog.text)";
    // regclass, as declared: an oid argument would let an overload taking
    // oid that another role made in the extension's schema match better.
    return signature_function + "(CAST(CAST(" + statement.Bind(std::to_string(table.table->oid)) +
           " AS pg_catalog.oid) AS pg_catalog.regclass))";
}

// The manifest's record of each copied column's rule and the reason the
// allowlist gives for it: {"email": {"rule": "email", "why": "..."}}. Built
// by the server from text arrays, so names in any encoding stay as they are.
// A constant's value, an expression's text, the hash key: none is recorded
// here (the allowlist itself is in _scrub_run, the key nowhere).
std::string ColumnRules(const TablePlan& table, Statement& statement) {
    if (!table.copy_rows) return "CAST(NULL AS pg_catalog.jsonb)";
    std::vector<std::string> names, rules, whys;
    for (const ColumnPlan& column : table.columns) {
        names.push_back(column.column.name);
        rules.push_back(column.RuleName());
        whys.push_back(column.rule.why);
    }
    return "(SELECT COALESCE(pg_catalog.jsonb_object_agg(r.name,"
           " pg_catalog.jsonb_build_object('rule', r.rule) OPERATOR(pg_catalog.||)"
           " CASE WHEN r.why OPERATOR(pg_catalog.=) '' THEN CAST('{}' AS pg_catalog.jsonb)"
           " ELSE pg_catalog.jsonb_build_object('why', r.why) END), CAST('{}' AS pg_catalog.jsonb))"
           " FROM ROWS FROM (pg_catalog.unnest(CAST(" +
           statement.Bind(TextArrayLiteral(names)) +
           " AS pg_catalog.text[])), pg_catalog.unnest(CAST(" +
           statement.Bind(TextArrayLiteral(rules)) +
           " AS pg_catalog.text[])), pg_catalog.unnest(CAST(" +
           statement.Bind(TextArrayLiteral(whys)) +
           " AS pg_catalog.text[]))) AS r (name, rule, why))";
}

// The manifest's leak counts of a copied table: {"column": count} for
// every column the leak check measured ({} when none); NULL for a table
// copied without rows.
std::string LeakedColumn(const TableReport* report, Statement& statement) {
    if (report == nullptr) return "CAST(NULL AS pg_catalog.jsonb)";
    std::vector<std::string> names, counts;
    for (const auto& [name, count] : report->leaks) {
        names.push_back(name);
        counts.push_back(std::to_string(count));
    }
    return "(SELECT COALESCE(pg_catalog.jsonb_object_agg(l.name, l.count),"
           " CAST('{}' AS pg_catalog.jsonb))"
           " FROM ROWS FROM (pg_catalog.unnest(CAST(" +
           statement.Bind(TextArrayLiteral(names)) +
           " AS pg_catalog.text[])), pg_catalog.unnest(CAST(" +
           statement.Bind(TextArrayLiteral(counts)) +
           " AS pg_catalog.int8[]))) AS l (name, count))";
}

Statement WithParams(std::string sql, const std::vector<std::string>& params) {
    Statement statement{std::move(sql), {}};
    for (const std::string& param : params) statement.Bind(param);
    return statement;
}

}  // namespace

Statement ClockTimestamp() {
    return {"SELECT CAST(pg_catalog.clock_timestamp() AS pg_catalog.text)", {}};
}

Statement CurrentRole() { return {"SELECT CAST(CURRENT_USER AS pg_catalog.text)", {}}; }

Statement CurrentSnapshot() {
    return {"SELECT CAST(pg_catalog.pg_current_snapshot() AS pg_catalog.text)", {}};
}

Statement CurrentRoleIsSuperuser() {
    return {
        "SELECT CAST(r.rolsuper AS pg_catalog.text) FROM pg_catalog.pg_roles AS r WHERE "
        "r.rolname OPERATOR(pg_catalog.=) CURRENT_USER",
        {}};
}

Statement CountSchemasNamed(const std::string& schema) {
    return WithParams(
        "SELECT pg_catalog.count(*) FROM pg_catalog.pg_namespace"
        " WHERE nspname OPERATOR(pg_catalog.=) $1",
        {schema});
}

Statement SchemaOwner(const std::string& schema) {
    return WithParams(
        "SELECT pg_catalog.pg_get_userbyid(n.nspowner),"
        " n.nspowner OPERATOR(pg_catalog.=) (SELECT r.oid FROM pg_catalog.pg_roles r"
        "   WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER)"
        " FROM pg_catalog.pg_namespace n WHERE n.nspname OPERATOR(pg_catalog.=) $1",
        {schema});
}

Statement TargetSchemaState(const std::string& target) {
    return WithParams(
        "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c"
        " WHERE c.relnamespace OPERATOR(pg_catalog.=) n.oid"
        " AND c.relname OPERATOR(pg_catalog.=) $2 AND c.relkind OPERATOR(pg_catalog.=) 'r'),"
        " pg_catalog.pg_get_userbyid(n.nspowner),"
        " n.nspowner OPERATOR(pg_catalog.=) (SELECT r.oid FROM pg_catalog.pg_roles r"
        "   WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER)"
        " FROM pg_catalog.pg_namespace n WHERE n.nspname OPERATOR(pg_catalog.=) $1",
        {target, kManifestRunTable});
}

Statement RunLockHolder(uint32_t key) {
    return WithParams(
        "SELECT l.pid, a.state FROM pg_catalog.pg_locks l"
        " LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid OPERATOR(pg_catalog.=) l.pid"
        " WHERE l.locktype OPERATOR(pg_catalog.=) 'advisory' AND l.granted"
        " AND l.classid OPERATOR(pg_catalog.=) CAST($1 AS pg_catalog.oid)"
        " AND l.objid OPERATOR(pg_catalog.=) CAST($2 AS pg_catalog.oid)"
        " AND l.objsubid OPERATOR(pg_catalog.=) CAST($3 AS pg_catalog.int2)"
        " AND l.database OPERATOR(pg_catalog.=) (SELECT d.oid FROM pg_catalog.pg_database d"
        "   WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database())",
        {std::to_string(kRunLockClass), std::to_string(key), std::to_string(kRunLockField)});
}

Statement DropSchema(const std::string& schema, const IdentifierQuoter& quote) {
    return {"DROP SCHEMA " + quote(schema) + " CASCADE", {}};
}

Statement RenameSchema(const std::string& schema, const std::string& new_name,
                       const IdentifierQuoter& quote) {
    return {"ALTER SCHEMA " + quote(schema) + " RENAME TO " + quote(new_name), {}};
}

Statement UnreadableTables(const std::vector<std::string>& oids) {
    return WithParams(
        "SELECT n.nspname, c.relname, pg_catalog.has_table_privilege(c.oid, 'SELECT')"
        " FROM pg_catalog.pg_class c"
        " JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
        " WHERE c.oid OPERATOR(pg_catalog.=) ANY (CAST($1 AS pg_catalog.oid[]))"
        " AND (NOT pg_catalog.has_table_privilege(c.oid, 'SELECT')"
        "      OR pg_catalog.row_security_active(c.oid))"
        " ORDER BY n.nspname, c.relname",
        {TextArrayLiteral(oids)});
}

Statement FirstUnreadableTable(const std::vector<std::string>& oids) {
    return WithParams(
        "SELECT c.relname, NOT pg_catalog.has_table_privilege(c.oid, 'SELECT'), n.nspname"
        " FROM pg_catalog.pg_class c"
        " JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
        " WHERE c.oid OPERATOR(pg_catalog.=) ANY (CAST($1 AS pg_catalog.oid[]))"
        " AND (NOT pg_catalog.has_table_privilege(c.oid, 'SELECT')"
        "      OR pg_catalog.row_security_active(c.oid))"
        " ORDER BY n.nspname, c.relname LIMIT 1",
        {TextArrayLiteral(oids)});
}

Statement PartitionsOfOtherOwners(uint32_t oid, uint32_t owner_oid) {
    return WithParams(
        "SELECT n.nspname, c.relname, pg_catalog.pg_get_userbyid(c.relowner)"
        " FROM pg_catalog.pg_partition_tree(CAST(CAST($1 AS pg_catalog.oid) AS "
        "pg_catalog.regclass)) t"
        " JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) t.relid"
        " JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
        " WHERE c.relowner OPERATOR(pg_catalog.<>) CAST($2 AS pg_catalog.oid)"
        " ORDER BY 1, 2",
        {std::to_string(oid), std::to_string(owner_oid)});
}

Statement UnreadableSequences(const std::vector<std::string>& oids) {
    return WithParams(
        "SELECT pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.'"
        " OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname), n.nspname, c.relname"
        " FROM pg_catalog.pg_class c"
        " JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
        " WHERE c.oid OPERATOR(pg_catalog.=) ANY (CAST($1 AS pg_catalog.oid[]))"
        // CASE: the planner may evaluate conditions in any order, and
        // has_sequence_privilege() fails on anything but a sequence.
        " AND CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'S'"
        " THEN NOT pg_catalog.has_sequence_privilege(c.oid, 'SELECT') ELSE false END"
        " ORDER BY 1",
        {TextArrayLiteral(oids)});
}

Statement CountManifestScratchColumns(const std::string& target) {
    // The names checked against kManifestColumns, then bound as values.
    const IdentifierQuoter bare = [](const std::string& name) { return name; };
    std::vector<std::string> names{
        ManifestColumnName(kManifestTablesTable, "source_schema", bare),
        ManifestColumnName(kManifestTablesTable, "scratch_schema", bare)};
    return WithParams(
        "SELECT pg_catalog.count(*) FROM pg_catalog.pg_attribute a"
        " JOIN pg_catalog.pg_class c ON c.oid OPERATOR(pg_catalog.=) a.attrelid"
        " JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
        " WHERE n.nspname OPERATOR(pg_catalog.=) $1 AND c.relname OPERATOR(pg_catalog.=) $2"
        " AND c.relkind OPERATOR(pg_catalog.=) 'r' AND NOT a.attisdropped"
        " AND a.attname OPERATOR(pg_catalog.=) ANY (CAST($3 AS pg_catalog.text[]))",
        {target, kManifestTablesTable, TextArrayLiteral(names)});
}

Statement ManifestScratchSchemas(const std::string& target, const IdentifierQuoter& quote) {
    return {"SELECT DISTINCT t." +
                ManifestColumnName(kManifestTablesTable, "source_schema", quote) + ", t." +
                ManifestColumnName(kManifestTablesTable, "scratch_schema", quote) + " FROM ONLY " +
                QualifiedName(quote, target, kManifestTablesTable) + " t",
            {}};
}

Statement InsertManifestRun(const std::string& build_schema, const IdentifierQuoter& quote,
                            const std::string& source_schema, const std::string& allowlist_json,
                            const std::string& started_at, const std::string& run_snapshot) {
    Statement insert;
    std::string allowlist = insert.Bind(allowlist_json);
    std::map<std::string, std::string> values{
        {"source_schema", insert.Bind(source_schema)},
        {"allowlist", "CAST(" + allowlist + " AS pg_catalog.jsonb)"},
        {"allowlist_sha256",
         "pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to(CAST(CAST(" + allowlist +
             " AS pg_catalog.jsonb) AS pg_catalog.text), 'UTF8')), 'hex')"},
        {"extension_version",
         "(SELECT e.extversion FROM pg_catalog.pg_extension e"
         "   WHERE e.extname OPERATOR(pg_catalog.=) 'scrub')"},
        {"started_at", "CAST(" + insert.Bind(started_at) + " AS pg_catalog.timestamptz)"},
        {"finished_at", "pg_catalog.clock_timestamp()"},
        {"backend_pid", "pg_catalog.pg_backend_pid()"},
        {"run_snapshot", insert.Bind(run_snapshot)},
    };
    insert.sql = "INSERT INTO " + QualifiedName(quote, build_schema, kManifestRunTable) +
                 ManifestRow(kManifestRunTable, values, quote, "SELECT ");
    return insert;
}

Statement InsertManifestTable(const std::string& build_schema, const IdentifierQuoter& quote,
                              const std::string& signature_function, const TablePlan& table,
                              const TableReport* report, const std::string& scratch_schema) {
    Statement insert;
    std::optional<std::string> rows =
        report ? std::optional(std::to_string(report->rows)) : std::nullopt;
    std::map<std::string, std::string> values;
    values["table_name"] = insert.Bind(table.table->name);
    values["copied"] = insert.Bind(std::string(table.copy_rows ? "t" : "f")) + "::pg_catalog.bool";
    values["source_rows"] = insert.Bind(rows) + "::pg_catalog.int8";
    values["copied_rows"] = insert.Bind(rows) + "::pg_catalog.int8";
    values["kept_columns"] =
        insert.Bind(TextArrayLiteral(table.ColumnNames(true))) + "::pg_catalog.text[]";
    values["scrubbed_columns"] =
        insert.Bind(TextArrayLiteral(table.ColumnNames(false))) + "::pg_catalog.text[]";
    values["milliseconds"] =
        insert.Bind(report ? std::optional(FormatMilliseconds(report->milliseconds))
                           : std::nullopt) +
        "::pg_catalog.numeric";
    values["source_signature"] = SignatureOf(table, signature_function, insert);
    values["source_schema"] = insert.Bind(table.table->schema);
    values["scratch_schema"] = insert.Bind(scratch_schema);
    values["column_rules"] = ColumnRules(table, insert);
    values["row_filter"] =
        insert.Bind(table.row_filter.empty() ? std::nullopt : std::optional(table.row_filter)) +
        "::pg_catalog.text";
    values["leaked"] = LeakedColumn(report, insert);
    insert.sql = "INSERT INTO " + QualifiedName(quote, build_schema, kManifestTablesTable) +
                 ManifestRow(kManifestTablesTable, values, quote, "VALUES (") + ")";
    return insert;
}

Statement LockSequencesByName(const std::vector<SequenceInfo>& sequences) {
    std::vector<std::string> schemas, names;
    for (const SequenceInfo& sequence : sequences) {
        schemas.push_back(sequence.schema);
        names.push_back(sequence.name);
    }
    // The CASE keeps pg_sequence_last_value() from meeting anything but a
    // sequence; its result is unused, it is called for its lock.
    return WithParams(
        "SELECT s.position, c.oid,"
        " CASE WHEN c.relkind OPERATOR(pg_catalog.=) 'S'"
        " THEN pg_catalog.pg_sequence_last_value(c.oid) END"
        " FROM ROWS FROM (pg_catalog.unnest(CAST($1 AS pg_catalog.text[])),"
        "                 pg_catalog.unnest(CAST($2 AS pg_catalog.text[])))"
        "   WITH ORDINALITY AS s (schema_name, relation_name, position)"
        " JOIN pg_catalog.pg_namespace n ON n.nspname OPERATOR(pg_catalog.=) s.schema_name"
        " JOIN pg_catalog.pg_class c ON c.relnamespace OPERATOR(pg_catalog.=) n.oid"
        "  AND c.relname OPERATOR(pg_catalog.=) s.relation_name"
        "  AND c.relkind OPERATOR(pg_catalog.=) 'S'",
        {TextArrayLiteral(schemas), TextArrayLiteral(names)});
}

Statement InsertManifestSequence(const std::string& build_schema, const SequenceInfo& sequence,
                                 const std::string& last_value, const std::string& is_called,
                                 const IdentifierQuoter& quote) {
    Statement insert;
    std::map<std::string, std::string> values{
        {"sequence_name", insert.Bind(sequence.name)},
        {"last_value", "CAST(" + insert.Bind(last_value) + " AS pg_catalog.int8)"},
        {"is_called", "CAST(" + insert.Bind(is_called) + " AS pg_catalog.bool)"},
        {"sequence_schema", insert.Bind(sequence.schema)},
    };
    insert.sql = "INSERT INTO " + QualifiedName(quote, build_schema, kManifestSequencesTable) +
                 ManifestRow(kManifestSequencesTable, values, quote, "VALUES (") + ")";
    return insert;
}

Statement ScratchColumnBounds(const std::string& schema, const std::string& table,
                              const std::string& column, const IdentifierQuoter& quote) {
    const std::string name = quote(column);
    return {"SELECT CAST(pg_catalog.max(" + name + ") AS pg_catalog.text), CAST(pg_catalog.min(" +
                name + ") AS pg_catalog.text) FROM ONLY " + QualifiedName(quote, schema, table),
            {}};
}

Statement MoveSequencePosition(const std::string& manifest_schema, const SequenceInfo& sequence,
                               uint32_t oid, const std::string& high, const std::string& low,
                               const IdentifierQuoter& quote) {
    const char* table = kManifestSequencesTable;
    const std::string last_value = ManifestColumnName(table, "last_value", quote);
    const std::string is_called = ManifestColumnName(table, "is_called", quote);
    Statement update;
    update.sql = "UPDATE " + QualifiedName(quote, manifest_schema, table) + " AS m SET " +
                 last_value + " = CASE WHEN v.up THEN v.high ELSE v.low END, " + is_called +
                 " = true FROM (SELECT CAST(" + update.Bind(high) +
                 " AS pg_catalog.int8) AS high, CAST(" + update.Bind(low) +
                 " AS pg_catalog.int8) AS low,"
                 " (SELECT q.seqincrement OPERATOR(pg_catalog.>) 0"
                 " FROM pg_catalog.pg_sequence q WHERE q.seqrelid OPERATOR(pg_catalog.=) CAST(" +
                 update.Bind(std::to_string(oid)) +
                 " AS pg_catalog.oid)) AS up) AS v"
                 " WHERE m." +
                 ManifestColumnName(table, "sequence_schema", quote) + " OPERATOR(pg_catalog.=) " +
                 update.Bind(sequence.schema) + " AND m." +
                 ManifestColumnName(table, "sequence_name", quote) + " OPERATOR(pg_catalog.=) " +
                 update.Bind(sequence.name) +
                 " AND CASE WHEN v.up THEN v.high OPERATOR(pg_catalog.>=) m." + last_value +
                 " ELSE v.low OPERATOR(pg_catalog.<=) m." + last_value + " END";
    return update;
}

Statement CountScratchRows(const std::string& schema, const std::string& table,
                           const IdentifierQuoter& quote) {
    return {"SELECT pg_catalog.count(*) FROM ONLY " + QualifiedName(quote, schema, table), {}};
}

Statement ScratchColumnsDiffering(const std::string& schema, const std::string& table,
                                  uint32_t source_oid) {
    return WithParams(
        "SELECT a.attname, pg_catalog.format_type(s.atttypid, s.atttypmod),"
        " pg_catalog.format_type(a.atttypid, a.atttypmod)"
        " FROM pg_catalog.pg_class c"
        " JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
        " JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.oid"
        " LEFT JOIN pg_catalog.pg_attribute s"
        "   ON s.attrelid OPERATOR(pg_catalog.=) CAST($3 AS pg_catalog.oid)"
        "  AND s.attname OPERATOR(pg_catalog.=) a.attname AND NOT s.attisdropped"
        " WHERE n.nspname OPERATOR(pg_catalog.=) $1 AND c.relname OPERATOR(pg_catalog.=) $2"
        " AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped"
        " AND (s.attname IS NULL OR s.atttypid OPERATOR(pg_catalog.<>) a.atttypid"
        "      OR s.atttypmod OPERATOR(pg_catalog.<>) a.atttypmod)"
        " ORDER BY a.attnum",
        {schema, table, std::to_string(source_oid)});
}

Statement ReadSequence(const std::string& schema, const std::string& name,
                       const IdentifierQuoter& quote) {
    return {"SELECT CAST(last_value AS pg_catalog.text), is_called FROM " +
                QualifiedName(quote, schema, name),
            {}};
}

Statement RelationSize(uint32_t oid, bool partitioned) {
    if (!partitioned)
        return WithParams(
            "SELECT pg_catalog.pg_relation_size(CAST(CAST($1 AS pg_catalog.oid) AS "
            "pg_catalog.regclass))",
            {std::to_string(oid)});
    return WithParams(
        "SELECT COALESCE(pg_catalog.sum(pg_catalog.pg_relation_size(t.relid)), 0)"
        " FROM pg_catalog.pg_partition_tree(CAST(CAST($1 AS pg_catalog.oid) AS "
        "pg_catalog.regclass)) t",
        {std::to_string(oid)});
}

}  // namespace scrub

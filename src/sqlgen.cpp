// SQL generation. Identifiers only ever reach the text through `quote`.
#include "sqlgen.h"

#include "error.h"
#include "fake.h"
#include "rules.h"

#include "pure_only.h"  // last: no PostgreSQL header above

namespace scrub {

std::string TextArrayLiteral(const std::vector<std::string>& elements) {
    std::string literal = "{";
    for (size_t i = 0; i < elements.size(); ++i) {
        if (i > 0) literal += ",";
        literal += '"';
        for (char c : elements[i]) {
            if (c == '"' || c == '\\') literal += '\\';
            literal += c;
        }
        literal += '"';
    }
    return literal + "}";
}

Statement LockSourceTables(const Plan& plan, const IdentifierQuoter& quote) {
    std::string list;
    for (const TablePlan& table : plan.tables) {
        if (!table.copy_rows) continue;
        if (!list.empty()) list += ", ";
        list += QualifiedName(quote, table.table->schema, table.table->name);
    }
    if (list.empty()) return {};
    return {"LOCK TABLE " + list + " IN ACCESS SHARE MODE", {}};
}

Statement CreateScratchTable(const TablePlan& table, const std::string& build_schema,
                             const IdentifierQuoter& quote) {
    std::string columns;
    for (const ColumnPlan& column : table.columns) {
        if (!columns.empty()) columns += ", ";
        columns += quote(column.column.name) + " " + column.column.type_sql;
        if (!column.column.collation.empty()) columns += " COLLATE " + column.column.collation;
    }
    return {"CREATE TABLE " + QualifiedName(quote, build_schema, table.table->name) + " (" +
                columns + ")",
            {}};
}

std::string SourceRows(const TableInfo& table, const std::string& source_schema,
                       const std::vector<std::string>& columns, const IdentifierQuoter& quote) {
    if (!table.partitioned) return "ONLY " + QualifiedName(quote, source_schema, table.name);
    // Through the root, partitions need no rights of their own, as for any
    // reader of the table; leaf by leaf only where a foreign one must be
    // left out.
    if (table.foreign_leaves.empty()) return QualifiedName(quote, source_schema, table.name);
    std::string list;
    for (const std::string& column : columns) list += (list.empty() ? "" : ", ") + quote(column);
    if (list.empty()) list = "1";
    std::string rows;
    for (const RelationName& leaf : table.leaves)
        rows += (rows.empty() ? "" : " UNION ALL ") + std::string("SELECT ") + list +
                " FROM ONLY " + QualifiedName(quote, leaf.schema, leaf.name);
    // No leaf: ONLY on a partitioned table reads no rows, with its columns.
    if (rows.empty())
        rows = "SELECT " + list + " FROM ONLY " + QualifiedName(quote, source_schema, table.name);
    return "(" + rows + ")";
}

namespace {

// scrub's own function `name`, qualified with the extension's schema.
// The function of the extension's schema that a scrubbed column's rule
// calls, or null for a rule that calls none: one definition for the copy
// (RuleExpression) and for the check that the installed extension has it
// (ExtensionFunctionsCalled).
const char* RuleFunction(const ColumnPlan& column) {
    switch (column.rule.kind) {
        case RuleKind::kRealistic:
            return "scrub_fake_text";
        case RuleKind::kHash:
            return "scrub_hash";
        case RuleKind::kJson:
            // json keeps its text (key order, duplicate keys, numbers as
            // written): scrub_json_keep_json reads it as it is stored.
            return ClassifyType(column.column.scalar) == FakeKind::kJson ? "scrub_json_keep_json"
                                                                         : "scrub_json_keep";
        default:
            return nullptr;
    }
}

std::string ExtensionFunction(const std::string& extension_schema, const char* name,
                              const IdentifierQuoter& quote) {
    return quote(extension_schema) + "." + name;
}

// An integer argument of scrub's own functions, cast to the int4 they
// declare (negative: NULL). Every argument of a call to scrub's functions
// has exactly the declared type, so that no overload another role creates
// in the extension's schema can match better than scrub's own.
std::string Int4Argument(int value) {
    return "CAST(" + (value < 0 ? std::string("NULL") : std::to_string(value)) +
           " AS pg_catalog.int4)";
}

}  // namespace

std::string RuleExpression(const ColumnPlan& column, const std::string& value,
                           const std::string& seed, const std::string& extension_schema,
                           const IdentifierQuoter& quote, Statement& statement,
                           const std::string& hash_token) {
    const ColumnRule& rule = column.rule;
    const std::string& type = column.column.type_sql;
    switch (rule.kind) {
        case RuleKind::kKeep:
            return value;
        case RuleKind::kNull:
            return "CAST(NULL AS " + type + ")";
        case RuleKind::kConstant:
            return "CAST(CAST(" + statement.Bind(rule.constant) + " AS pg_catalog.text) AS " +
                   type + ")";
        case RuleKind::kRealistic: {
            int limit = TextLengthLimit(column.column.scalar);
            bool text = ClassifyType(column.column.scalar) == FakeKind::kText;
            return "CASE WHEN " + value + " IS NULL THEN NULL ELSE CAST(" +
                   ExtensionFunction(extension_schema, RuleFunction(column), quote) + "(CAST(" +
                   statement.Bind(rule.realistic) + " AS pg_catalog.text), CAST(" + seed +
                   " AS pg_catalog.int8), " + Int4Argument(limit) + ", " +
                   (text ? "CAST(pg_catalog.length(CAST(" + value +
                               " AS pg_catalog.text)) AS pg_catalog.int4)"
                         : std::string("CAST(NULL AS pg_catalog.int4)")) +
                   ") AS " + type + ") END";
        }
        case RuleKind::kHash: {
            std::string as = HashAs(column.hash_type);
            // Brought to the form the key's equality compares (rules.h).
            std::string call = ExtensionFunction(extension_schema, RuleFunction(column), quote) +
                               "(" + HashInput(column, value);
            if (as == "pg_catalog.text") call += ", " + Int4Argument(column.hash_max_length);
            // The run's token, as a parameter only: SQL with values
            // inlined leaves the extension (scrub_export_plan) and calls
            // the superuser-only form without one.
            if (!hash_token.empty()) {
                if (statement.inline_values)
                    throw ScrubError(sqlstate::kInternalError,
                                     "a run token must not be inlined into SQL text");
                call += ", CAST(" + statement.Bind(hash_token) + " AS pg_catalog.text)";
            }
            return "CAST(" + call + ") AS " + type + ")";
        }
        case RuleKind::kJson: {
            const bool json = ClassifyType(column.column.scalar) == FakeKind::kJson;
            return "CAST(" + ExtensionFunction(extension_schema, RuleFunction(column), quote) +
                   "(CAST(" + value + (json ? " AS pg_catalog.json" : " AS pg_catalog.jsonb") +
                   "), CAST(" + statement.Bind(TextArrayLiteral(rule.json_keep)) +
                   " AS pg_catalog.text[]), CAST(" + seed + " AS pg_catalog.int8)) AS " + type +
                   ")";
        }
        case RuleKind::kFake:
        case RuleKind::kSql:
            break;
    }
    return value;
}

// The source columns are read once, under positional aliases c1, c2, ...,
// beside the row number "seed"; the outer SELECT keeps or fakes each one.
// Aliases cannot clash with column names because they are ours. An sql
// rule's expression is evaluated in the inner SELECT, where the row's
// columns have their names, as x1, x2, ...; the row filter is its WHERE.
std::string ScrubbingSelect(const TablePlan& table, const std::string& source_schema,
                            const IdentifierQuoter& quote, const std::string& extension_schema,
                            Statement& statement, bool typed, const std::string& hash_token) {
    std::string inner, outer;
    bool needs_seed = false, needs_seed_text = false;  // bigint and text forms
    std::vector<ColumnInfo> scrubbed;
    for (const ColumnPlan& column : table.columns)
        if (column.DefaultFake()) scrubbed.push_back(column.column);
    const SeedColumns seed{"s.seed", "s.seed_text",
                           PrefixedTextFakeBytes(scrubbed) > kWideRowBytes};
    for (size_t i = 0; i < table.columns.size(); ++i) {
        const ColumnPlan& column = table.columns[i];
        std::string alias = "c" + std::to_string(i + 1);
        std::string separator = i == 0 ? "" : ", ";
        // Named for the checks that read the SELECT as a table (export).
        std::string name = typed ? " AS " + quote(column.column.name) : "";
        inner += separator + "src." + quote(column.column.name) + " AS " + alias;
        std::string value;
        if (column.keep) {
            outer += separator + "s." + alias + name;
            continue;
        }
        if (column.rule.kind == RuleKind::kSql) {
            std::string computed = "x" + std::to_string(i + 1);
            inner += ", CAST(" + SqlRuleText(column) + " AS " + column.column.type_sql + ") AS " +
                     computed;
            outer += separator + "s." + computed + name;
            continue;
        }
        if (!column.DefaultFake()) {
            needs_seed = needs_seed || column.rule.kind == RuleKind::kRealistic ||
                         column.rule.kind == RuleKind::kJson;
            value = RuleExpression(column, "s." + alias, seed.number, extension_schema, quote,
                                   statement, hash_token);
        } else {
            bool text = NeedsSeedText(column.column);
            needs_seed_text = needs_seed_text || text;
            needs_seed = needs_seed || !text;
            value = "CASE WHEN s." + alias + " IS NULL THEN NULL ELSE " +
                    FakeExpression(column.column, seed, quote, statement) + " END";
            // An INSERT brings the fake to the column's type by assignment;
            // a SELECT read by COPY must give it that type itself.
            if (typed) value = "CAST(" + value + " AS " + column.column.type_sql + ")";
        }
        outer += separator + value + name;
    }
    // The subquery holds a window function, so the planner keeps it as a
    // level of its own: each seed is computed once per row, however often
    // the fakes refer to it.
    if (needs_seed) inner += ", pg_catalog.row_number() OVER () AS seed";
    if (needs_seed_text)
        inner += ", CAST(pg_catalog.row_number() OVER () AS pg_catalog.text) AS seed_text";
    std::vector<std::string> names;
    for (const ColumnPlan& column : table.columns) names.push_back(column.column.name);
    std::string filter = FilterCondition(table);
    return "SELECT " + outer + " FROM (SELECT " + inner + " FROM " +
           SourceRows(*table.table, source_schema, names, quote) + " AS src" +
           (filter.empty() ? "" : " WHERE " + filter) + ") AS s";
}

// The INSERT names the scratch table's columns in the plan's order, which
// is the order of ScrubbingSelect's output.
Statement CopyRows(const TablePlan& table, const std::string& source_schema,
                   const std::string& build_schema, const IdentifierQuoter& quote,
                   const std::string& extension_schema, const std::string& hash_token) {
    Statement statement;
    std::string target_columns;
    for (const ColumnPlan& column : table.columns)
        target_columns += (target_columns.empty() ? "" : ", ") + quote(column.column.name);
    std::string select = ScrubbingSelect(table, source_schema, quote, extension_schema, statement,
                                         false, hash_token);
    // A table with no column to copy (none at all, or only generated
    // ones) still has rows: INSERT ... SELECT FROM writes them, and
    // "()" would be a syntax error.
    statement.sql = "INSERT INTO " + QualifiedName(quote, build_schema, table.table->name) +
                    (target_columns.empty() ? "" : " (" + target_columns + ")") + " " + select;
    return statement;
}

Statement CountRows(const TableInfo& table, const std::string& source_schema,
                    const IdentifierQuoter& quote, const std::string& filter) {
    // A filter reads the table's columns by name: all of them are there.
    std::vector<std::string> names;
    if (!filter.empty())
        for (const ColumnInfo& column : table.columns)
            if (!column.generated) names.push_back(column.name);
    return {"SELECT pg_catalog.count(*) FROM " + SourceRows(table, source_schema, names, quote) +
                " AS src" + (filter.empty() ? "" : " WHERE " + filter),
            {}};
}

std::vector<Statement> ScratchTableAccess(bool grant, const std::string& build_schema,
                                          const std::string& table, const std::string& role,
                                          const IdentifierQuoter& quote) {
    std::string verb = grant ? "GRANT " : "REVOKE ";
    std::string to = (grant ? " TO " : " FROM ") + quote(role);
    return {
        {verb + "USAGE ON SCHEMA " + quote(build_schema) + to, {}},
        {verb + "SELECT, INSERT ON TABLE " + QualifiedName(quote, build_schema, table) + to, {}}};
}

Statement AnyRowWithValues(const TableInfo& table, const std::string& source_schema,
                           const std::vector<std::string>& columns, const IdentifierQuoter& quote,
                           const std::string& filter) {
    std::string condition;
    for (const std::string& column : columns)
        condition += (condition.empty() ? "" : " AND ") + quote(column) + " IS NOT NULL";
    std::vector<std::string> read = columns;
    if (!filter.empty()) {
        condition += " AND " + filter;
        read.clear();
        for (const ColumnInfo& column : table.columns)
            if (!column.generated) read.push_back(column.name);
    }
    return {"SELECT EXISTS (SELECT FROM " + SourceRows(table, source_schema, read, quote) +
                " AS src WHERE " + condition + ")",
            {}};
}

Statement AnyRowPointingNowhere(const std::string& build_schema,
                                const std::string& referenced_build_schema, const ForeignKey& key,
                                const IdentifierQuoter& quote, const std::string& rows,
                                const std::string& referenced_rows) {
    std::string has_values, matches;
    for (size_t i = 0; i < key.columns.size() && i < key.referenced_columns.size(); ++i) {
        has_values += (has_values.empty() ? "" : " AND ") + std::string("c.") +
                      quote(key.columns[i]) + " IS NOT NULL";
        std::string op = i < key.equality_operators.size() ? key.equality_operators[i]
                                                           : "OPERATOR(pg_catalog.=)";
        matches += (matches.empty() ? "" : " AND ") + std::string("p.") +
                   quote(key.referenced_columns[i]) + " " + op + " c." + quote(key.columns[i]);
    }
    std::string from =
        rows.empty() ? QualifiedName(quote, build_schema, key.table) : "(" + rows + ")";
    std::string referenced = referenced_rows.empty() ? QualifiedName(quote, referenced_build_schema,
                                                                     key.referenced_table)
                                                     : "(" + referenced_rows + ")";
    return {"SELECT EXISTS (SELECT FROM " + from + " AS c WHERE " + has_values +
                " AND NOT EXISTS (SELECT FROM " + referenced + " AS p WHERE " + matches + "))",
            {}};
}

namespace {

// The scratch table as a FROM item, with those of the table's generated
// columns that `read` names computed from their expressions over the
// scratch row, as the restore will compute them (generated columns are not
// in the scratch table).
std::string ScratchRows(const std::string& schema, const TableInfo& table,
                        const std::vector<std::string>& read, const IdentifierQuoter& quote,
                        const std::string& rows) {
    std::string generated;
    for (const ColumnInfo& column : table.columns) {
        if (!column.generated || column.generation.empty()) continue;
        bool needed = false;
        for (const std::string& name : read) needed = needed || name == column.name;
        if (needed)
            generated += ", CAST((" + column.generation + ") AS " + column.type_sql + ") AS " +
                         quote(column.name);
    }
    std::string from =
        rows.empty() ? QualifiedName(quote, schema, table.name) : "(" + rows + ") AS scrubbed";
    if (generated.empty()) return from;
    return "(SELECT *" + generated + " FROM " + from + ") AS scratch";
}

// The index's key columns and expressions as SQL, each under its
// collation when `collate`.
std::vector<std::string> IndexKeys(const Index& index, bool collate,
                                   const IdentifierQuoter& quote) {
    std::vector<std::string> keys;
    for (size_t i = 0; i < index.columns.size(); ++i) {
        std::string key = i < index.expressions.size() && !index.expressions[i].empty()
                              ? "(" + index.expressions[i] + ")"
                              : quote(index.columns[i]);
        if (collate && i < index.collations.size() && !index.collations[i].empty())
            key += " COLLATE " + index.collations[i];
        keys.push_back(key);
    }
    return keys;
}

// The WHERE clause selecting the scratch rows the index holds: those its
// predicate selects, of its partition if it is a partition's own.
std::string IndexRows(const Index& index) {
    std::string where;
    for (const std::string& condition : {index.partition_constraint, index.predicate})
        if (!condition.empty()) where += (where.empty() ? " WHERE (" : " AND (") + condition + ")";
    return where;
}

}  // namespace

Statement FindCheckViolations(const std::string& schema, const TableInfo& table,
                              const std::vector<const CheckConstraint*>& checks,
                              const IdentifierQuoter& quote, const std::string& rows) {
    std::string columns;
    std::vector<std::string> read;
    for (const CheckConstraint* check : checks) {
        // A partition's own CHECK holds for its rows only; CASE keeps it
        // from being evaluated on the others.
        std::string fails = "(" + check->expression + ") IS FALSE";
        if (!check->partition_constraint.empty())
            fails = "CASE WHEN (" + check->partition_constraint + ") THEN " + fails + " END";
        columns += (columns.empty() ? "" : ", ") + std::string("pg_catalog.bool_or(") + fails + ")";
        read.insert(read.end(), check->columns.begin(), check->columns.end());
    }
    return {"SELECT " + columns + " FROM " + ScratchRows(schema, table, read, quote, rows), {}};
}

Statement FindDuplicates(const std::string& schema, const TableInfo& table, const Index& index,
                         const IdentifierQuoter& quote, const std::string& rows) {
    // Compared as the index compares them: under its collation (a
    // nondeterministic one makes values with different bytes equal), over
    // the rows its predicate selects.
    std::string where = IndexRows(index);
    if (!index.nulls_not_distinct)
        for (const std::string& key : IndexKeys(index, false, quote))
            where += (where.empty() ? " WHERE " : " AND ") + key + " IS NOT NULL";
    return {"SELECT EXISTS (SELECT FROM " +
                ScratchRows(schema, table, index.ColumnsRead(), quote, rows) + where +
                " GROUP BY " + JoinLines(IndexKeys(index, true, quote), ", ") +
                " HAVING pg_catalog.count(*) OPERATOR(pg_catalog.>) 1)",
            {}};
}

Statement EvaluateIndex(const std::string& schema, const TableInfo& table, const Index& index,
                        const IdentifierQuoter& quote, const std::string& rows) {
    std::string where = IndexRows(index);
    return {"SELECT pg_catalog.count(ROW(" + JoinLines(IndexKeys(index, false, quote), ", ") +
                ")) FROM " + ScratchRows(schema, table, index.ColumnsRead(), quote, rows) + where,
            {}};
}

Statement EvaluateGenerated(const std::string& schema, const TableInfo& table,
                            const ColumnInfo& column, const IdentifierQuoter& quote,
                            const std::string& rows) {
    return {"SELECT pg_catalog.bool_or(" + quote(column.name) + " IS NULL) FROM " +
                ScratchRows(schema, table, {column.name}, quote, rows),
            {}};
}

// No PRIMARY KEYs: their indexes (_scrub_tables_pkey, ...) would take
// names in the build schema that a copied source table may have. Names
// are unique by construction.
std::vector<Statement> CreateManifest(const std::string& build_schema,
                                      const IdentifierQuoter& quote) {
    std::vector<Statement> statements;
    for (const char* table : {kManifestRunTable, kManifestTablesTable, kManifestSequencesTable}) {
        std::string columns;
        for (const ManifestColumn& column : kManifestColumns)
            if (std::string(column.table) == table)
                columns += std::string(columns.empty() ? "" : ", ") + column.name + " " +
                           column.type + (column.not_null ? " NOT NULL" : "");
        statements.push_back(
            {"CREATE TABLE " + QualifiedName(quote, build_schema, table) + " (" + columns + ")",
             {}});
    }
    return statements;
}

std::vector<std::string> LeakCheckedColumns(const TablePlan& table) {
    std::vector<std::string> columns;
    if (!table.copy_rows) return columns;
    for (const ColumnPlan& column : table.columns) {
        if (column.keep || column.rule.kind == RuleKind::kNull ||
            column.rule.kind == RuleKind::kConstant)
            continue;
        switch (ClassifyType(column.column.scalar)) {
            case FakeKind::kText:
            case FakeKind::kBytea:
            case FakeKind::kJson:
            case FakeKind::kJsonb:
            case FakeKind::kUuid:
            case FakeKind::kInet:
            case FakeKind::kCidr:
                columns.push_back(column.column.name);
                break;
            default:
                break;
        }
    }
    return columns;
}

Statement LeakCount(const TablePlan& table, const std::string& build_schema,
                    const IdentifierQuoter& quote) {
    std::vector<std::string> columns = LeakCheckedColumns(table);
    auto pairs = [&](const std::string& alias) {
        std::string values;
        for (size_t i = 0; i < columns.size(); ++i)
            values += (i == 0 ? "" : ", ") + std::string("(") + std::to_string(i + 1) + ", CAST(" +
                      alias + "." + quote(columns[i]) +
                      " AS pg_catalog.text) COLLATE pg_catalog.\"C\")";
        return " CROSS JOIN LATERAL (VALUES " + values + ") AS ";
    };
    const std::string& schema = table.table->schema;
    Statement statement;
    statement.sql =
        "SELECT d.k, pg_catalog.count(*) FROM ONLY " +
        QualifiedName(quote, build_schema, table.table->name) + " AS scratch" + pairs("scratch") +
        "d (k, v) WHERE d.v IS NOT NULL AND EXISTS (SELECT FROM " +
        SourceRows(*table.table, schema, columns, quote) + " AS src" + pairs("src") +
        "s (k, v) WHERE s.k OPERATOR(pg_catalog.=) d.k AND s.v OPERATOR(pg_catalog.=) d.v)"
        " GROUP BY d.k ORDER BY d.k";
    return statement;
}

std::vector<std::pair<std::string, std::string>> ExtensionFunctionsCalled(const TablePlan& table) {
    std::vector<std::pair<std::string, std::string>> called;
    if (!table.copy_rows) return called;
    for (const ColumnPlan& column : table.columns) {
        const char* function = column.keep ? nullptr : RuleFunction(column);
        if (function == nullptr) continue;
        called.push_back({function, "rule \"" + column.RuleName() + "\" of column \"" +
                                        table.table->schema + "." + table.table->name + "." +
                                        column.column.name + "\""});
    }
    return called;
}

}  // namespace scrub

// Checks a run makes before it writes anything.
#include "preflight.h"

#include <cstdint>
#include <vector>

#include "db_util.h"
#include "error.h"
#include "facts.h"
#include "fake.h"
#include "rules.h"
#include "scratch.h"
#include "sqlgen.h"
#include "sqlgen_checks.h"
#include "sqlgen_run.h"

#include "pure_only.h"  // last: no PostgreSQL header above

namespace scrub {
void CheckNothingOutsideDepends(Database& db, const std::string& target) {
    std::vector<std::string> lines;
    for (const Row& row : db.Query(OutsideDependents(target), Visibility::kLatest))
        lines.push_back(row[0].value_or(""));
    if (!lines.empty())
        throw ScrubError(
            sqlstate::kDependentObjectsStillExist,
            "cannot replace schema \"" + target + "\" because objects outside it depend on it",
            JoinLines(lines),
            "Drop these objects or point them elsewhere: every run replaces the whole schema, "
            "with everything in it. Nothing was changed.");
}

std::string CreateBuildSchema(Database& db, const IdentifierQuoter& quote) {
    std::vector<Row> rows = db.Query(NewBuildSchemaName(), Visibility::kLatest);
    if (rows.empty() || rows[0].empty() || !rows[0][0])
        throw ScrubError(sqlstate::kInternalError, "could not name the build schema");
    std::string name = *rows[0][0];
    std::vector<Row> existing = db.Query(SchemaOwner(name), Visibility::kLatest);
    if (!existing.empty())
        throw ScrubError(
            sqlstate::kDuplicateSchema, "build schema \"" + name + "\" already exists",
            "Schema \"" + name + "\" is owned by role \"" + existing[0][0].value_or("?") +
                "\"; scrub builds each run in a new schema of its own.",
            "Find out why role \"" + existing[0][0].value_or("?") + "\" created schema \"" + name +
                "\", drop it, and run scrub_to_schema again.");
    db.ReportActivity("creating schema " + name);
    db.Execute(CreateSchema(name, quote), Visibility::kLatest);
    return name;
}

TableOwner OwnerOf(const TableInfo& table, const std::string& source_schema) {
    return {table.owner_oid, table.owner,
            (table.schema.empty() ? source_schema : table.schema) + "." + table.name};
}

void CheckFakesFit(Database& db, const Plan& plan, const std::string& source_schema,
                   const IdentifierQuoter& quote, Problems* sink) {
    Problems lines;
    Problems wide;
    // The limit a column's fakes must stay within: only a key of a unique
    // index has one; any other fake wraps to fit.
    auto limit = [](const ColumnPlan& column) -> uint64_t {
        if (!column.DefaultFake() || column.column.unique_use != UniqueUse::kKey) return 0;
        return FakeCapacity(column.column);
    };
    for (const TablePlan& table : plan.tables) {
        if (!table.copy_rows) continue;
        uint64_t smallest = 0;
        std::vector<ColumnInfo> scrubbed;
        for (const ColumnPlan& column : table.columns) {
            uint64_t capacity = limit(column);
            if (capacity != 0 && (smallest == 0 || capacity < smallest)) smallest = capacity;
            if (column.DefaultFake()) scrubbed.push_back(column.column);
        }
        // Counting rows costs a scan: only where a limit may be reached.
        if (smallest == 0 && MinimumFakeBytes(scrubbed, UINT64_MAX) <= kMaxRowBytes) continue;
        // Counted as the table's owner, as every read of its rows is: planning
        // a query over the table can run its owner's code.
        std::vector<Row> rows = db.QueryAsOwner(
            OwnerOf(*table.table, table.table->schema),
            CountRows(*table.table, table.table->schema, quote, FilterCondition(table)),
            Visibility::kRunSnapshot);
        uint64_t count = rows.empty() || !rows[0][0] ? 0 : std::stoull(*rows[0][0]);
        if (count > 0 && MinimumFakeBytes(scrubbed, count) > kMaxRowBytes)
            wide.push_back({table.table->schema, table.table->name, "",
                            "The fakes of the " + std::to_string(scrubbed.size()) +
                                " scrubbed columns of table \"" + table.table->schema + "." +
                                table.table->name + "\" take at least " +
                                std::to_string(MinimumFakeBytes(scrubbed, count)) +
                                " bytes per row; a row holds at most " +
                                std::to_string(kMaxRowBytes) + "."});
        for (const ColumnPlan& column : table.columns) {
            uint64_t capacity = limit(column);
            if (capacity == 0 || count <= capacity) continue;
            lines.push_back(
                {table.table->schema, table.table->name, column.column.name,
                 "Column \"" + table.table->schema + "." + table.table->name + "." +
                     column.column.name + "\" has type " + column.column.type_sql +
                     ", whose distinct fakes number at most " + std::to_string(capacity) +
                     "; the table has " + std::to_string(count) + " rows, and unique index \"" +
                     column.column.unique_index + "\" needs a different value in each."});
        }
    }
    Refuse(sink, wide, sqlstate::kProgramLimitExceeded, "faked rows would be too big to store",
           "Keep more of these columns verbatim if their values are safe, or list "
           "the tables with [] to copy no rows. Nothing was changed.");
    Refuse(sink, lines, sqlstate::kStringDataRightTruncation,
           "unique fakes would not fit the types of some scrubbed columns",
           "Keep these columns verbatim if their values are safe, widen their "
           "types, or list the tables with [] to copy no rows. Nothing was "
           "changed.");
}

void RefuseForeignExtensionObjects(Database& db) {
    std::vector<Row> owner = db.Query(ExtensionSchemaOwner(), Visibility::kLatest);
    if (!owner.empty() && owner[0].size() >= 3 && owner[0][2].value_or("f") != "t")
        throw ScrubError(
            sqlstate::kInsufficientPrivilege,
            "schema \"" + owner[0][0].value_or("") + "\" of extension scrub is owned by " +
                owner[0][1].value_or("") + ", which is not a superuser",
            "scrub calls its own functions by this schema's name, with the rights of the role "
            "running scrub; the schema's owner may rename the schema at any time, during a run "
            "too, and put functions of its own in their place.",
            "Install scrub in a schema only a superuser owns: DROP EXTENSION scrub; CREATE "
            "SCHEMA scrub; CREATE EXTENSION scrub SCHEMA scrub; then grant EXECUTE again; see "
            "\"Where to install scrub\" in docs/operations.md.");
    std::vector<Row> rows = db.Query(ExtensionImpostors(), Visibility::kLatest);
    if (rows.empty()) return;
    std::string detail, schema;
    for (const Row& row : rows) {
        if (row.size() < 2 || !row[0] || !row[1]) continue;
        detail += (detail.empty() ? "" : "\n") + *row[0] + ", is not part of extension scrub.";
        schema = *row[1];
    }
    if (detail.empty()) return;
    throw ScrubError(
        sqlstate::kInsufficientPrivilege,
        "schema \"" + schema +
            "\" of extension scrub holds functions named like scrub's own that are not scrub's",
        detail,
        "Drop them. Better, install scrub in a schema only trusted roles can create in: "
        "CREATE SCHEMA scrub (granting CREATE on it to nobody else), then CREATE EXTENSION "
        "scrub SCHEMA scrub; see \"Where to install scrub\" in docs/operations.md.");
}

void CheckExtensionHasRuleFunctions(Database& db, const Plan& plan) {
    std::vector<std::pair<std::string, std::string>> called;
    for (const TablePlan& table : plan.tables)
        for (auto& call : ExtensionFunctionsCalled(table)) called.push_back(call);
    if (called.empty()) return;
    std::vector<std::string> members;
    std::string version;
    for (const Row& row : db.Query(ExtensionMemberFunctions(), Visibility::kLatest)) {
        version = row[0].value_or("");
        members.push_back(row[1].value_or(""));
    }
    std::vector<std::string> lines;
    for (const auto& [function, by] : called)
        if (!Contains(members, function))
            lines.push_back("The " + by + " calls " + function + ", which version " + version +
                            " of extension scrub does not have.");
    if (lines.empty()) return;
    throw ScrubError(sqlstate::kUndefinedFunction,
                     "the allowlist's rules need a newer version of extension scrub than this "
                     "database has",
                     JoinLines(lines),
                     "Run ALTER EXTENSION scrub UPDATE in this database (as its owner or a "
                     "superuser): the server has the newer files, the database the older "
                     "functions.");
}

std::string SignatureFunction(Database& db, const IdentifierQuoter& quote) {
    std::vector<Row> rows = db.Query(ExtensionSchemaAndSignature(), Visibility::kLatest);
    if (rows.empty() || rows[0].size() < 2 || !rows[0][0])
        throw ScrubError(sqlstate::kUndefinedObject, "extension \"scrub\" is not installed", "",
                         "Run CREATE EXTENSION scrub.");
    // The library may be newer than the extension's SQL objects (a package
    // upgrade before ALTER EXTENSION scrub UPDATE): runs still work, and
    // record no signatures, which an export then reports.
    if (rows[0][1] != std::optional<std::string>("t")) return "";
    return QualifiedName(quote, *rows[0][0], "scrub_table_signature");
}

void CheckSchemaName(const std::string& name, const char* argument) {
    if (name.empty())
        throw ScrubError(sqlstate::kInvalidParameterValue,
                         std::string(argument) + " must not be empty", "",
                         "Pass the name of a schema.");
    if (name.size() > kMaxNameBytes)
        throw ScrubError(sqlstate::kNameTooLong,
                         std::string(argument) + " \"" + name + "\" is too long",
                         "Schema names are at most " + std::to_string(kMaxNameBytes) +
                             " bytes; this one has " + std::to_string(name.size()) + ".",
                         "Pass a shorter name.");
    if (IsReservedSchemaName(name))
        throw ScrubError(sqlstate::kReservedName,
                         std::string(argument) + " \"" + name + "\" is reserved",
                         "Schema names beginning with \"pg_\" are reserved for the system.",
                         "Pass another name.");
}

void CheckSourceSchema(Database& db, const std::string& source) {
    Statement exists = CountSchemasNamed(source);
    if (FirstValue(db, exists, Visibility::kLatest) == "0")
        throw ScrubError(sqlstate::kInvalidSchemaName,
                         "source schema \"" + source + "\" does not exist", "",
                         "Pass the schema that holds the application's tables as source_schema.");
}

// Fails, naming every constraint, if the copy would break foreign keys: a
// copied row pointing at a table copied without rows, or through scrubbed
// key columns. Checked on the source under the run snapshot, before any
// copying, so such a run fails fast.
void CheckForeignKeys(Database& db, const Plan& plan, const SourceCatalog& catalog,
                      const RunOptions& options, const IdentifierQuoter& quote, Problems* sink) {
    Problems violations;
    for (const ForeignKeyRisk& risk : ForeignKeysAtRisk(plan, catalog, options.source_schema)) {
        const TableInfo* table = FindTable(catalog, risk.key->schema, risk.key->table);
        const TablePlan* planned = nullptr;
        for (const TablePlan& candidate : plan.tables)
            if (candidate.table == table) planned = &candidate;
        Statement probe =
            AnyRowWithValues(*table, table->schema, risk.key->columns, quote,
                             planned != nullptr ? FilterCondition(*planned) : std::string());
        if (FirstValueAsOwner(db, OwnerOf(*table, table->schema), probe,
                              Visibility::kRunSnapshot) != "t")
            continue;
        violations.push_back({risk.key->schema, risk.key->table,
                              risk.key->columns.empty() ? "" : risk.key->columns.front(),
                              "Constraint \"" + risk.key->name + "\" of table \"" +
                                  risk.key->schema + "." + risk.key->table +
                                  "\": copied rows refer to other rows, but " + risk.reason + "."});
    }
    Refuse(sink, violations, sqlstate::kForeignKeyViolation,
           "the scrubbed copy would break foreign keys",
           "Copy each referenced table with rows, keeping the key columns on both "
           "sides, or list the referencing table with [] to copy it without rows.");
}

// In REPEATABLE READ or SERIALIZABLE the run snapshot is the transaction's,
// which may predate the locks: a TRUNCATE or table rewrite committed in
// between is invisible to it, and the copy would silently come out empty
// or stale. Every table read (partitions included) must be unchanged since
// the snapshot. In READ COMMITTED the snapshot follows the locks and this
// always holds.
void CheckTablesMatchSnapshot(Database& db, const Plan& plan, const SourceCatalog& catalog) {
    for (const TableInfo& table : catalog.tables) {
        const bool partition = !table.partition_of.empty();
        const std::string& root = partition ? table.partition_of : table.name;
        const std::string& root_schema = partition ? table.partition_of_schema : table.schema;
        bool read = false;
        for (const TablePlan& planned : plan.tables)
            read = read || (planned.copy_rows && planned.table->name == root &&
                            planned.table->schema == root_schema);
        if (read && db.ChangedAfterRunSnapshot(table.oid))
            throw ScrubError(sqlstate::kSerializationFailure,
                             "table \"" + table.schema + "." + table.name +
                                 "\" changed after this transaction's snapshot was taken",
                             "A TRUNCATE, table rewrite or ALTER TABLE committed after the "
                             "snapshot, so the snapshot no longer shows the table's contents.",
                             "Run scrub_to_schema in a transaction of its own, or in READ "
                             "COMMITTED.");
    }
}

// Rows are read as each table's owner (CopyTable), so the caller's own
// right to read them all is proved first: it must hold SELECT on each
// table it copies, and row-level security must not hide rows from it. A
// caller who could not copy a table itself must not copy it through its
// owner. The check reads the catalog by OID and never names the table in
// a query: planning a query over a table loads its expressions (index
// expressions and predicates, statistics expressions, partition keys)
// and runs the functions they call, which another role wrote, with the
// caller's rights.
void CheckCallerMayReadAll(Database& db, const Plan& plan, Problems* sink) {
    std::vector<std::string> oids;
    for (const TablePlan& table : plan.tables)
        if (table.copy_rows) oids.push_back(std::to_string(table.table->oid));
    if (oids.empty()) return;
    if (sink != nullptr) {
        Statement every = UnreadableTables(oids);
        for (const Row& row : db.Query(every, Visibility::kLatest)) {
            const std::string schema = row[0].value_or(""), table = row[1].value_or("");
            sink->push_back({schema, table, "",
                             row[2].value_or("") == "t"
                                 ? "Row-level security of table \"" + schema + "." + table +
                                       "\" would hide rows from the role that runs scrub."
                                 : "The run copies table \"" + schema + "." + table +
                                       "\" and needs SELECT on it."});
        }
        return;
    }
    Statement refused = FirstUnreadableTable(oids);
    std::vector<Row> rows = db.Query(refused, Visibility::kLatest);
    if (rows.empty()) return;
    const std::string table = rows[0][0].value_or("");
    const std::string schema = rows[0][2].value_or("");
    if (rows[0][1].value_or("") == "t")
        throw ScrubError(
            sqlstate::kInsufficientPrivilege, "permission denied for table " + table,
            "The run copies table \"" + schema + "." + table + "\" and needs SELECT on it.",
            "Grant SELECT on the table to the role that runs scrub.");
    throw ScrubError(
        sqlstate::kInsufficientPrivilege,
        "query would be affected by row-level security policy for table \"" + table + "\"",
        "Row-level security of table \"" + schema + "." + table +
            "\" would hide rows from the role that runs scrub, and a copy must "
            "hold every row.",
        "Give the role that runs scrub BYPASSRLS, or run scrub as the table's "
        "owner (without FORCE ROW LEVEL SECURITY).");
}

// A statement over a partitioned table plans over its partitions too, and
// loads their expressions (a partition's indexes and statistics), which
// the partition's owner wrote: they would run with the rights of the
// root's owner, whose rights the copy has. So every partition must belong
// to the root's owner.
void CheckPartitionTreesHaveOneOwner(Database& db, const Plan& plan, Problems* sink) {
    Problems lines;
    for (const TablePlan& table : plan.tables) {
        if (!table.copy_rows || !table.table->partitioned) continue;
        Statement others = PartitionsOfOtherOwners(table.table->oid, table.table->owner_oid);
        for (const Row& row : db.Query(others, Visibility::kLatest))
            lines.push_back({table.table->schema, table.table->name, "",
                             "Partition \"" + row[0].value_or("") + "." + row[1].value_or("") +
                                 "\" of table \"" + table.table->schema + "." + table.table->name +
                                 "\" is owned by role \"" + row[2].value_or("") +
                                 "\", the table by role \"" + table.table->owner + "\"."});
    }
    Refuse(sink, lines, sqlstate::kInsufficientPrivilege,
           "partitions of a copied table have another owner than the table",
           "scrub reads a partitioned table with its owner's rights, which would "
           "run the partitions' index and statistics expressions with them. Make "
           "the table's owner own every partition (ALTER TABLE ... OWNER TO), or "
           "list the table with [] to copy it without rows.");
}

void CheckSchemaOwnersTrusted(Database& db, const Plan& plan,
                              const std::vector<SequenceInfo>& sequences, Problems* sink) {
    std::vector<std::string> oids;
    for (const TablePlan& table : plan.tables)
        if (table.copy_rows) oids.push_back(std::to_string(table.table->oid));
    for (const SequenceInfo& sequence : sequences) oids.push_back(std::to_string(sequence.oid));
    if (oids.empty()) return;
    Problems lines;
    for (const Row& row : db.Query(SchemasOfOtherOwners(oids), Visibility::kLatest)) {
        const std::string schema = row[0].value_or(""), name = row[1].value_or("");
        lines.push_back({schema, name, "",
                         "\"" + schema + "." + name + "\" is read with the rights of role \"" +
                             row[5].value_or("") + "\", and names " + row[2].value_or("") +
                             " in schema \"" + row[3].value_or("") + "\", which " +
                             row[4].value_or("") +
                             " owns and may rename at any time, putting objects of its own "
                             "in its place."});
    }
    Refuse(sink, lines, sqlstate::kInsufficientPrivilege,
           "copied tables or their types live in schemas of another role",
           "A schema's owner decides what the names in it mean while scrub runs. Have the "
           "schema's owner own the tables (ALTER TABLE ... OWNER TO), or a superuser or the "
           "tables' owner own the schema (ALTER SCHEMA ... OWNER TO; for public, then GRANT "
           "CREATE ON SCHEMA public to the role that created objects there as the database's "
           "owner), or list the tables with [] to copy them without rows.");
}

// The run reads every sequence's value for the manifest; a role that may
// not read one would fail only after copying everything, so check first.
void CheckSequencesReadable(Database& db, const SourceCatalog& catalog, Problems* sink) {
    if (catalog.sequences.empty()) return;
    std::vector<std::string> oids;
    for (const SequenceInfo& sequence : catalog.sequences)
        oids.push_back(std::to_string(sequence.oid));
    Statement unreadable = UnreadableSequences(oids);
    std::vector<std::string> names;
    Problems problems;
    for (const Row& row : db.Query(unreadable, Visibility::kLatest)) {
        names.push_back(row[0].value_or(""));
        if (row.size() >= 3)
            problems.push_back({row[1].value_or(""), row[2].value_or(""), "",
                                "Sequence \"" + row[1].value_or("") + "." + row[2].value_or("") +
                                    "\" cannot be read by the role running scrub, and the run "
                                    "records its value for the restore."});
    }
    if (names.empty()) return;
    if (sink != nullptr) {
        sink->insert(sink->end(), problems.begin(), problems.end());
        return;
    }
    throw ScrubError(sqlstate::kInsufficientPrivilege,
                     "permission denied for sequences of schema \"" +
                         JoinLines(catalog.schemas, "\", \"") + "\"",
                     "The run records the value of every sequence of the schema, and of "
                     "every sequence its tables' defaults draw from, for the restore, and "
                     "cannot read " +
                         JoinLines(names, ", ") + ".",
                     "Grant SELECT on these sequences to the role that runs scrub, for example "
                     "with GRANT SELECT ON ALL SEQUENCES IN SCHEMA.");
}

std::string KeyNamingSchema(const Allowlist& allowlist, const std::string& schema) {
    for (const AllowlistEntry& entry : allowlist.entries)
        if (entry.schema == schema) return entry.key;
    return {};
}

void CheckKeySchemaName(const std::string& key, const std::string& schema) {
    const std::string names = "allowlist key \"" + key + "\" names a table of ";
    if (IsSystemSchemaName(schema))
        throw ScrubError(sqlstate::kReservedName, names + "system schema \"" + schema + "\"", "",
                         "Name tables of the application's schemas only.");
    if (schema.size() > kMaxNameBytes)
        throw ScrubError(sqlstate::kNameTooLong, names + "a schema whose name is too long",
                         "Schema names are at most " + std::to_string(kMaxNameBytes) +
                             " bytes; this one has " + std::to_string(schema.size()) + ".",
                         "Correct the schema name in the key.");
}

void CheckKeySchemaExists(Database& db, const std::string& key, const std::string& schema) {
    if (!HolderOf(db, schema).exists)
        throw ScrubError(sqlstate::kInvalidSchemaName,
                         "allowlist key \"" + key + "\" names a table of schema \"" + schema +
                             "\", which does not exist",
                         "", "Correct the schema name in the key, or remove the entry.");
}

void CheckExportSchemas(Database& db, const RunOptions& options, const Allowlist& allowlist) {
    for (const std::string& schema : allowlist.schemas) {
        if (schema == options.source_schema) continue;
        const std::string key = KeyNamingSchema(allowlist, schema);
        CheckKeySchemaName(key, schema);
        CheckKeySchemaExists(db, key, schema);
    }
}

void CheckExportMayHash(Database& db, const Plan& plan, const std::string& caller) {
    std::vector<std::string> tables;
    for (const TablePlan& table : plan.tables) {
        bool hashes = false;
        for (const ColumnPlan& column : table.columns) hashes = hashes || column.Hashed();
        if (!table.copy_rows || !hashes) continue;
        tables.push_back(table.table->schema + "." + table.table->name);
        if (table.table->owner != caller)
            throw ScrubError(sqlstate::kInsufficientPrivilege,
                             "an export computes hash rules only for tables its role owns",
                             "Table \"" + tables.back() +
                                 "\" has hash rules and is owned by role \"" + table.table->owner +
                                 "\".",
                             "Run scrub_to_schema (scrub-dump --via-schema), which computes them "
                             "with the run's own permit.");
    }
    if (tables.empty()) return;
    std::string superuser = FirstValue(db, CurrentRoleIsSuperuser(), Visibility::kLatest);
    if (superuser != "true")
        throw ScrubError(sqlstate::kInsufficientPrivilege,
                         "an export computes hash rules only as a superuser",
                         "Table \"" + tables.front() +
                             "\" has hash rules; outside scrub_to_schema only a superuser may "
                             "call scrub_hash.",
                         "Run scrub_to_schema (scrub-dump --via-schema), which computes them "
                         "with the run's own permit.");
}

}  // namespace scrub

// The run, step by step. Nothing here commits: the caller's transaction
// holds every write, so a failure at any step leaves the database as it was.
#include "run.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <functional>
#include <stdexcept>

#include "allowlist.h"
#include "db_util.h"
#include "error.h"
#include "fake.h"
#include "manifest.h"
#include "plan.h"
#include "preflight.h"
#include "rules.h"
#include "scratch.h"
#include "sqlgen.h"
#include "sqlgen_run.h"
#include "verify.h"

#include "pure_only.h"  // last: no PostgreSQL header above

namespace scrub {
namespace {

// Copies one table's rows and proves the copy complete: the source's row
// count at the run snapshot, counted by a scan of its own, must equal the
// number of rows the INSERT wrote into the scratch table. Both run as the
// table's owner: the INSERT evaluates the columns' domain constraints and
// casts, which the owner chose.
TableReport CopyTable(Database& db, const TablePlan& table, const RunOptions& options,
                      const std::string& build_schema, const IdentifierQuoter& quote,
                      const std::string& hash_token) {
    auto start = std::chrono::steady_clock::now();
    const std::string& name = table.table->name;
    const std::string& schema = table.table->schema;
    TableOwner owner = OwnerOf(*table.table, schema);
    uint64_t copied = db.ExecuteAsOwner(
        owner, CopyRows(table, schema, build_schema, quote, options.extension_schema, hash_token),
        Visibility::kRunSnapshot);
    uint64_t source_rows = std::stoull(
        FirstValueAsOwner(db, owner, CountRows(*table.table, schema, quote, FilterCondition(table)),
                          Visibility::kRunSnapshot));
    CheckCopiedEveryRow(*table.table, source_rows, copied);
    // The source schema's tables by their name, as ever; another schema's
    // as its allowlist key.
    return {
        schema == options.source_schema ? name : TableKeyOf(schema, name, options.source_schema),
        source_rows, static_cast<int>(table.KeptCount()), static_cast<int>(table.ScrubbedCount()),
        MillisecondsSince(start)};
}

// Whether the copy calls scrub_hash for some column.
bool HashesAnyColumn(const Plan& plan) {
    for (const TablePlan& table : plan.tables)
        for (const ColumnPlan& column : table.columns)
            if (table.copy_rows && column.Hashed()) return true;
    return false;
}

// The allowlist without its keys naming a table of a system schema, each
// of which becomes a problem of its own in `problems` (the run refuses it,
// 42939); those schemas are not read.
Allowlist WithoutSystemSchemas(Allowlist allowlist, Problems& problems) {
    Allowlist covered;
    for (const std::string& schema : allowlist.schemas)
        if (!IsSystemSchemaName(schema)) covered.schemas.push_back(schema);
    for (AllowlistEntry& entry : allowlist.entries) {
        if (Contains(covered.schemas, entry.schema))
            covered.entries.push_back(std::move(entry));
        else
            problems.push_back({entry.schema, entry.table, "",
                                "Key \"" + entry.key + "\" names a table of system schema \"" +
                                    entry.schema + "\"."});
    }
    return covered;
}

// scrub_plan's rows: per planned table, a row of its own when it has
// problems or a row filter, then one per column with its decision and
// problems; last, the problems no planned column holds.
std::vector<PlanRow> PlanRowsOf(const Plan& plan, const Problems& problems,
                                const std::string& source_schema) {
    std::vector<PlanRow> rows;
    std::vector<bool> used(problems.size(), false);
    // The problems of (schema, table, column), joined; marks them used.
    auto problems_of = [&](const std::string& schema, const std::string& table,
                           const std::string& column) -> std::optional<std::string> {
        std::vector<std::string> texts;
        for (size_t i = 0; i < problems.size(); ++i)
            if (!used[i] && problems[i].schema == schema && problems[i].table == table &&
                problems[i].column == column) {
                used[i] = true;
                texts.push_back(problems[i].text);
            }
        if (texts.empty()) return std::nullopt;
        return JoinLines(texts, "\n");
    };
    auto name_of = [&](const std::string& schema, const std::string& table) {
        return schema == source_schema ? table : TableKeyOf(schema, table, source_schema);
    };
    auto text = [](const std::string& value) -> std::optional<std::string> {
        if (value.empty()) return std::nullopt;
        return value;
    };
    for (const TablePlan& table : plan.tables) {
        const std::string& schema = table.table->schema;
        const std::string& name = table.table->name;
        // The table's own row: its problems, and a row filter (what the
        // artifact's header calls "filtered").
        std::optional<std::string> problem = problems_of(schema, name, "");
        bool filtered = table.copy_rows && !table.row_filter.empty();
        if (problem || filtered)
            rows.push_back({name_of(schema, name), std::nullopt, std::nullopt,
                            filtered ? text("rows where") : std::nullopt,
                            filtered ? text("row filter") : std::nullopt,
                            filtered ? text(table.row_filter) : std::nullopt, problem});
        for (const ColumnInfo& column : table.table->columns) {
            Decision decision = DecisionOf(table, column);
            rows.push_back({name_of(schema, name), column.name, column.type_sql,
                            text(decision.decision), text(decision.reason), text(decision.why),
                            problems_of(schema, name, column.name)});
        }
    }
    // What no planned column holds: tables and columns that do not exist,
    // partitions and other relations named by a key.
    for (size_t i = 0; i < problems.size(); ++i) {
        if (used[i]) continue;
        const Problem& problem = problems[i];
        rows.push_back({name_of(problem.schema, problem.table), text(problem.column), std::nullopt,
                        std::nullopt, std::nullopt, std::nullopt,
                        problems_of(problem.schema, problem.table, problem.column)});
    }
    return rows;
}

// Which entry point a shared step serves: its checks and messages differ.
enum class Purpose { kRun, kPlan, kExport };

// What every entry point starts from: its arguments checked, the
// allowlist parsed, and the server's quoter.
struct Prepared {
    Allowlist allowlist;
    IdentifierQuoter quote;
};

// The source's catalog and the plan built on it (which points into the
// catalog's table array; moving the catalog leaves that array in place).
struct PlannedSource {
    SourceCatalog catalog;
    Plan plan;
};

// Refuses impostors of scrub's functions in its schema, then checks the
// schema names (a run's target too) and parses the allowlist, before
// anything else reads the database.
Prepared Prepare(Database& db, const RunOptions& options, Purpose purpose) {
    // Before anything calls one of scrub's own functions.
    RefuseForeignExtensionObjects(db);
    CheckSchemaName(options.source_schema, "source_schema");
    if (purpose == Purpose::kRun) {
        CheckSchemaName(options.target_schema, "target_schema");
        if (options.source_schema == options.target_schema)
            throw ScrubError(sqlstate::kInvalidParameterValue,
                             "target_schema must differ from source_schema",
                             "Both are \"" + options.source_schema + "\".",
                             "scrub writes into a schema of its own and never into the source.");
    }
    return {ParseAllowlistInServerEncoding(options.allowlist_json, options.source_schema,
                                           options.to_utf8, options.from_utf8),
            [&db](const std::string& name) { return db.QuoteIdentifier(name); }};
}

// Reads the catalog of every schema the allowlist names and plans from
// it; the sequences the manifest records must be readable.
PlannedSource ReadAndPlan(Database& db, const Allowlist& allowlist, const RunOptions& options,
                          bool strict) {
    db.ReportActivity("reading the catalog of schema " + JoinLines(allowlist.schemas, ", "));
    PlannedSource source;
    source.catalog = ReadSourceCatalog(db, allowlist.schemas);
    source.plan = BuildPlan(allowlist, source.catalog, options.source_schema, strict);
    CheckSequencesReadable(db, source.catalog);
    return source;
}

// Every table of every schema in one LOCK statement, then one snapshot.
// A schema change that committed while LOCK TABLE waited (ALTER TABLE ...
// ADD COLUMN, say) is missing from the catalog read before, and the copy
// would silently lack it. Now that no copied table can change, the
// catalog is read again and the plan made from that; the tables to lock
// must be those just locked.
void LockAndReplan(Database& db, const Allowlist& allowlist, const RunOptions& options, bool strict,
                   const IdentifierQuoter& quote, Purpose purpose, PlannedSource& source) {
    db.ReportActivity("locking source tables");
    Statement lock = LockSourceTables(source.plan, quote);
    if (!lock.sql.empty()) db.Execute(lock, Visibility::kLatest);
    SourceCatalog locked_catalog = ReadSourceCatalog(db, allowlist.schemas);
    Plan locked_plan = BuildPlan(allowlist, locked_catalog, options.source_schema, strict);
    if (LockSourceTables(locked_plan, quote).sql != lock.sql)
        throw ScrubError(
            sqlstate::kSerializationFailure,
            purpose == Purpose::kRun
                ? "source tables changed while scrub_to_schema waited for their locks"
                : "source tables changed while scrub-dump waited for their locks",
            "", purpose == Purpose::kRun ? "Run scrub_to_schema again." : "Run scrub-dump again.");
    source.plan = std::move(locked_plan);        // points into locked_catalog's table array,
    source.catalog = std::move(locked_catalog);  // which moving leaves in place
    db.TakeRunSnapshot();
}

// Under the run snapshot: every table read is as the snapshot shows it,
// and the caller may read it all, through one owner per partition tree,
// in schemas whose names only a superuser or that owner controls.
void CheckSourceUnderSnapshot(Database& db, const PlannedSource& source) {
    CheckTablesMatchSnapshot(db, source.plan, source.catalog);
    CheckCallerMayReadAll(db, source.plan);
    CheckPartitionTreesHaveOneOwner(db, source.plan);
    CheckSchemaOwnersTrusted(db, source.plan, source.catalog.sequences);
}

// Copies every table of the plan into its scratch schema, one after the
// other, each with its checks while its owner may still read its scratch
// table, and records each in the manifest (tables without rows too). The
// constraints the faked rows break are collected in `found` for VerifyCopy.
std::vector<TableReport> CopyTables(Database& db, const PlannedSource& source,
                                    const RunOptions& options,
                                    const std::vector<Scratch>& scratches,
                                    const std::string& signature_function,
                                    const std::string& caller, const IdentifierQuoter& quote,
                                    const std::string& hash_token, Violations* found) {
    const Plan& plan = source.plan;
    const SourceCatalog& catalog = source.catalog;
    const std::string& build_schema = scratches.front().build;  // the target's: the manifest
    std::vector<TableReport> reports;
    Violations& violations = *found;
    int failure_point = db.FailAfterTables();
    for (const TablePlan& table : plan.tables) {
        const std::string& schema = table.table->schema;
        const Scratch& scratch = ScratchOf(scratches, schema);
        if (!table.copy_rows) {
            RecordTable(db, build_schema, quote, signature_function, table, nullptr, scratch.name);
            continue;
        }
        if (failure_point >= 0 && static_cast<int>(reports.size()) >= failure_point)
            throw std::runtime_error("injected failure after " + std::to_string(reports.size()) +
                                     " tables (scrub.debug_fail_after_tables)");
        db.ReportActivity("copying table " + schema + "." + table.table->name);
        db.Execute(CreateScratchTable(table, scratch.build, quote), Visibility::kLatest);
        CheckScratchColumnsMatch(db, table, schema, scratch.build);
        const std::string& owner = table.table->owner;
        bool grant = owner != caller;
        if (grant)
            for (const Statement& statement :
                 ScratchTableAccess(true, scratch.build, table.table->name, owner, quote))
                db.Execute(statement, Visibility::kLatest);
        reports.push_back(CopyTable(db, table, options, scratch.build, quote, hash_token));
        MoveSequencesPastCopy(db, table, catalog, scratch.build, build_schema, quote);
        FindViolations(db, table, catalog, schema, scratch.build, quote, violations);
        CheckHashCollisions(db, table, scratch.build, quote);
        reports.back().leaks = CountLeaks(db, table, scratch.build, quote);
        const TableReport& report = reports.back();
        if (grant) {
            for (const Statement& statement :
                 ScratchTableAccess(false, scratch.build, table.table->name, owner, quote))
                db.Execute(statement, Visibility::kLatest);
            CheckNoRowsAdded(db, table, report, schema, scratch.build, quote);
        }
        RecordTable(db, build_schema, quote, signature_function, table, &report, scratch.name);
        db.Log("scrub: copied table " + schema + "." + table.table->name + ": " +
               std::to_string(report.rows) + " rows, " + std::to_string(report.columns_kept) +
               " columns kept, " + std::to_string(report.columns_scrubbed) + " scrubbed, " +
               FormatMilliseconds(report.milliseconds) + " ms");
    }

    return reports;
}

// The checks over the whole copy, once every table is in: constraints the
// faked rows break, leaks (with leak_check), foreign keys a filter or a
// hash may have broken, and objects made to depend on the copy.
void VerifyCopy(Database& db, const PlannedSource& source, const RunOptions& options,
                const std::vector<TableReport>& reports, const Violations& violations,
                const std::vector<Scratch>& scratches, const std::string& caller,
                const IdentifierQuoter& quote) {
    const Plan& plan = source.plan;
    const SourceCatalog& catalog = source.catalog;
    ThrowIfViolated(violations);
    if (options.leak_check) ThrowIfLeaked(reports);
    db.ReportActivity("checking foreign keys of filtered tables and hashed keys");
    CheckFilteredForeignKeys(
        db, plan, catalog,
        [&](const std::string& schema) { return ScratchOf(scratches, schema).build; }, caller,
        quote);
    for (const Scratch& scratch : scratches)
        CheckNothingMadeOnCopy(db, scratch.build, scratch.name);
}

// The swap: within this transaction the old schemas go and the new ones
// take their names, so readers see either the old or the new, never a
// mix. The target first: an export reading it holds its manifest
// locked, and waits for nothing this transaction holds.
void Swap(Database& db, const std::string& target, bool replace,
          const std::vector<std::string>& earlier_scratches, const std::vector<Scratch>& scratches,
          const IdentifierQuoter& quote) {
    if (replace) db.Execute(DropSchema(target, quote), Visibility::kLatest);
    for (const std::string& name : earlier_scratches)
        db.Execute(DropSchema(name, quote), Visibility::kLatest);
    for (const Scratch& scratch : scratches)
        db.Execute(RenameSchema(scratch.build, scratch.name, quote), Visibility::kLatest);
}

}  // namespace

std::vector<TableReport> RunScrub(Database& db, const RunOptions& options) {
    Prepared prepared = Prepare(db, options, Purpose::kRun);
    const Allowlist& allowlist = prepared.allowlist;
    const IdentifierQuoter& quote = prepared.quote;

    std::string started_at = FirstValue(db, ClockTimestamp(), Visibility::kLatest);
    std::string caller = FirstValue(db, CurrentRole(), Visibility::kLatest);
    // One lock for the target and every scratch schema named after it.
    LockTarget(db, options.target_schema);
    CheckSourceSchema(db, options.source_schema);
    bool replace = TargetExists(db, options.target_schema);
    if (replace) CheckNothingOutsideDepends(db, options.target_schema);
    std::vector<std::string> earlier_scratches;
    std::vector<Scratch> scratches =
        PlanScratchSchemas(db, options, allowlist, replace, quote, earlier_scratches);

    PlannedSource source = ReadAndPlan(db, allowlist, options, options.strict);
    CheckExtensionHasRuleFunctions(db, source.plan);
    LockAndReplan(db, allowlist, options, options.strict, quote, Purpose::kRun, source);
    Plan& plan = source.plan;  // the rules check pins its expressions
    const SourceCatalog& catalog = source.catalog;
    // The run snapshot as pg_current_snapshot() shows it (xmin:xmax:xip),
    // for the manifest and the report: which transactions the copy saw.
    std::string run_snapshot = FirstValue(db, CurrentSnapshot(), Visibility::kRunSnapshot);
    CheckSourceUnderSnapshot(db, source);
    // The run's permit to hash, only if it hashes.
    std::string hash_token;
    if (HashesAnyColumn(plan) && options.open_hash_permit) hash_token = options.open_hash_permit();
    db.ReportActivity("checking the allowlist's rules");
    CheckRulesOnServer(db, plan, options.extension_schema, quote, hash_token);
    db.ReportActivity("checking foreign keys");
    CheckForeignKeys(db, plan, catalog, options, quote);
    CheckFakesFit(db, plan, options.source_schema, quote);
    CheckRealisticFit(db, plan, catalog, quote);

    std::string signature_function = SignatureFunction(db, quote);
    for (Scratch& scratch : scratches) scratch.build = CreateBuildSchema(db, quote);
    const std::string& build_schema = scratches.front().build;  // the target's: the manifest
    for (const Statement& statement : CreateManifest(build_schema, quote))
        db.Execute(statement, Visibility::kLatest);
    // Sequences are read with the caller's rights, so before any table's
    // owner has had code run: that code could otherwise swap a sequence
    // for a view of the same name, whose query would then run as the
    // caller.
    db.ReportActivity("recording sequences");
    RecordSequences(db, catalog.sequences, build_schema, quote);

    Violations violations;
    std::vector<TableReport> reports = CopyTables(
        db, source, options, scratches, signature_function, caller, quote, hash_token, &violations);
    VerifyCopy(db, source, options, reports, violations, scratches, caller, quote);

    db.ReportActivity("recording the manifest");
    RecordRun(db, options, build_schema, quote, started_at, run_snapshot);

    Swap(db, options.target_schema, replace, earlier_scratches, scratches, quote);
    db.Log("scrub: built schema " + options.target_schema + " from " +
           JoinLines(allowlist.schemas, ", ") + " (" + std::to_string(reports.size()) +
           " tables copied with rows, " + std::to_string(plan.tables.size() - reports.size()) +
           " structure only)");
    return reports;
}

std::vector<PlanRow> PlanScrub(Database& db, const RunOptions& options) {
    Prepared prepared = Prepare(db, options, Purpose::kPlan);
    Allowlist& allowlist = prepared.allowlist;
    const IdentifierQuoter& quote = prepared.quote;
    CheckSourceSchema(db, options.source_schema);

    Problems problems;
    Allowlist covered = WithoutSystemSchemas(std::move(allowlist), problems);
    SourceCatalog catalog = ReadSourceCatalog(db, covered.schemas);
    Plan plan = BuildPlan(covered, catalog, options.source_schema, options.strict, &problems);
    CheckSequencesReadable(db, catalog, &problems);

    // The checks that read the source, as the run makes them after its
    // locks (none here) and its snapshot: rights first, since the others
    // run as each table's owner; then the allowlist's expressions (each
    // in a subtransaction, its error a problem of its entry) and the row
    // counts and foreign-key probes.
    db.TakeRunSnapshot();
    Problems rights;
    CheckCallerMayReadAll(db, plan, &rights);
    CheckPartitionTreesHaveOneOwner(db, plan, &rights);
    CheckSchemaOwnersTrusted(db, plan, catalog.sequences, &rights);
    problems.insert(problems.end(), rights.begin(), rights.end());
    if (rights.empty()) {
        // The key check, with a token as the run's own (scrub.cpp).
        std::string hash_token;
        if (HashesAnyColumn(plan) && options.open_hash_permit)
            hash_token = options.open_hash_permit();
        Problems rules;
        CheckRulesOnServer(db, plan, options.extension_schema, quote, hash_token, &rules);
        problems.insert(problems.end(), rules.begin(), rules.end());
        // The probes below evaluate the filters and expressions just
        // checked. With any of them broken, or refused because it would run
        // another role's code, none is evaluated again: the plan reports
        // the expressions' problems only, and the probes wait for a plan
        // whose expressions are sound.
        if (rules.empty()) {
            CheckForeignKeys(db, plan, catalog, options, quote, &problems);
            CheckFakesFit(db, plan, options.source_schema, quote, &problems);
            CheckRealisticFit(db, plan, catalog, quote, &problems);
        }
    }

    return PlanRowsOf(plan, problems, options.source_schema);
}

namespace {

uint64_t EstimatedBytes(Database& db, const TableInfo& table) {
    return std::stoull(
        FirstValue(db, RelationSize(table.oid, table.partitioned), Visibility::kLatest));
}

}  // namespace

ExportResult ExportScrub(Database& db, const RunOptions& options, ExportMode mode) {
    Prepared prepared = Prepare(db, options, Purpose::kExport);
    const Allowlist& allowlist = prepared.allowlist;
    const IdentifierQuoter& quote = prepared.quote;
    std::string caller = FirstValue(db, CurrentRole(), Visibility::kLatest);
    CheckSourceSchema(db, options.source_schema);
    CheckExportSchemas(db, options, allowlist);

    PlannedSource source = ReadAndPlan(db, allowlist, options, false);
    ExportResult result;
    if (mode == ExportMode::kSequences) {
        LockSequences(db, source.catalog.sequences);
        for (const SequenceInfo& sequence : source.catalog.sequences) {
            std::optional<SequencePosition> position =
                ReadSequencePositionIfAny(db, sequence, quote);
            if (!position) continue;
            result.sequences.push_back(
                {sequence.schema, sequence.name, position->last_value, position->is_called});
        }
        return result;
    }

    // As a run: lock, read the catalog again under the locks, and check
    // that the transaction's snapshot (taken before the locks, at the
    // first statement) still shows every table as it is.
    LockAndReplan(db, allowlist, options, false, quote, Purpose::kExport, source);
    Plan& plan = source.plan;  // PinExpressions pins its expressions
    const SourceCatalog& catalog = source.catalog;
    CheckSourceUnderSnapshot(db, source);

    // The SELECTs other sessions run: with the expressions pinned.
    PinExpressions(db, plan, quote);
    std::map<const TablePlan*, std::string> selects;
    for (const TablePlan& table : plan.tables) {
        if (!table.copy_rows) continue;
        Statement inlined;
        inlined.inline_values = true;
        selects[&table] = ScrubbingSelect(table, table.table->schema, quote,
                                          options.extension_schema, inlined, true);
    }
    if (mode == ExportMode::kCheck) {
        CheckExportMayHash(db, plan, caller);
        db.ReportActivity("checking the allowlist's rules");
        CheckRulesOnServer(db, plan, options.extension_schema, quote);
        db.ReportActivity("checking foreign keys");
        CheckForeignKeys(db, plan, catalog, options, quote);
        CheckFakesFit(db, plan, options.source_schema, quote);
        CheckRealisticFit(db, plan, catalog, quote);
        Violations violations;
        for (const TablePlan& table : plan.tables) {
            if (!table.copy_rows) continue;
            const std::string& schema = table.table->schema;
            db.ReportActivity("checking table " + schema + "." + table.table->name);
            FindViolations(db, table, catalog, schema, {}, quote, violations, selects[&table]);
            CheckHashCollisions(db, table, {}, quote, selects[&table]);
        }
        ThrowIfViolated(violations);
        db.ReportActivity("checking foreign keys of filtered tables");
        CheckFilteredForeignKeys(
            db, plan, catalog, [](const std::string&) { return std::string(); }, caller, quote,
            [&selects](const TablePlan& table) { return selects[&table]; });
        return result;
    }
    for (const TablePlan& table : plan.tables) {
        if (!table.copy_rows) continue;
        ExportTable out;
        out.schema = table.table->schema;
        out.name = table.table->name;
        for (const ColumnPlan& column : table.columns) {
            out.columns.push_back(column.column.name);
            out.uses_hash = out.uses_hash || column.Hashed();
        }
        out.select_sql = selects[&table];
        out.owner = table.table->owner;
        out.owned_by_caller = table.table->owner == caller;
        out.estimated_bytes = EstimatedBytes(db, *table.table);
        result.tables.push_back(std::move(out));
    }
    return result;
}

}  // namespace scrub

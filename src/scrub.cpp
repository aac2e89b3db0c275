// SQL-callable entry points. Each one is a thin extern "C" function that
// hands its arguments to C++ through pg::InvokeCpp.
#include <optional>
#include <string>
#include <vector>

#include "pg_boundary.h"
#include "pg_database.h"
#include "pg_functions.h"
#include "preflight.h"
#include "run.h"
#include "suggest.h"

extern "C" {
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "catalog/pg_extension.h"
#include "commands/extension.h"
#include "utils/fmgroids.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/tuplestore.h"
#include "catalog/pg_type_d.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(scrub_to_schema);
Datum scrub_to_schema(PG_FUNCTION_ARGS);
PG_FUNCTION_INFO_V1(scrub_plan);
Datum scrub_plan(PG_FUNCTION_ARGS);
PG_FUNCTION_INFO_V1(scrub_export_plan);
Datum scrub_export_plan(PG_FUNCTION_ARGS);
PG_FUNCTION_INFO_V1(scrub_export_check);
Datum scrub_export_check(PG_FUNCTION_ARGS);
PG_FUNCTION_INFO_V1(scrub_export_sequences);
Datum scrub_export_sequences(PG_FUNCTION_ARGS);
PG_FUNCTION_INFO_V1(scrub_suggest);
Datum scrub_suggest(PG_FUNCTION_ARGS);
void _PG_init(void);

// scrub.debug_fail_after_tables: superuser-only fault injection for tests.
int scrub_debug_fail_after_tables = -1;
}

namespace {

// The text of a non-NULL text argument, or of a jsonb one when `jsonb`;
// NULL is an error naming the argument.
char* TextArgument(FunctionCallInfo fcinfo, int index, const char* name, bool jsonb = false) {
    return scrub::pg::Guard([fcinfo, index, name, jsonb]() noexcept {
        if (PG_ARGISNULL(index))
            ereport(ERROR,
                    (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s must not be NULL", name)));
        if (jsonb) {
            Jsonb* allowlist = PG_GETARG_JSONB_P(index);
            return JsonbToCString(nullptr, &allowlist->root, VARSIZE(allowlist));
        }
        return text_to_cstring(PG_GETARG_TEXT_PP(index));
    });
}

// A non-NULL boolean argument; NULL is an error naming the argument.
bool BoolArgument(FunctionCallInfo fcinfo, int index, const char* name) {
    return scrub::pg::Guard([fcinfo, index, name]() noexcept {
        if (PG_ARGISNULL(index))
            ereport(ERROR,
                    (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("%s must not be NULL", name)));
        return static_cast<bool>(PG_GETARG_BOOL(index));
    });
}

// Text converted from the server's encoding to UTF-8 (to_utf8) or back;
// a character the other encoding lacks is PostgreSQL's error.
std::string ConvertEncoding(const std::string& text, bool to_utf8) {
    const char* data = text.c_str();
    int length = static_cast<int>(text.size());
    const char* converted = scrub::pg::Guard([data, length, to_utf8]() noexcept {
        return to_utf8 ? pg_server_to_any(data, length, PG_UTF8)
                       : pg_any_to_server(data, length, PG_UTF8);
    });
    return std::string(converted);
}

// Sets up the result set, failing at once if the call context cannot take
// a materialized set, rather than after the whole run. Must run in the
// function's own memory context, before SPI_connect; the tuplestore lives
// in the per-query context, so it may be filled after SPI_finish.
void PrepareResultSet(FunctionCallInfo fcinfo) {
    scrub::pg::Guard([fcinfo]() noexcept { InitMaterializedSRF(fcinfo, 0); });
}

// Emits the run's report into the result set PrepareResultSet made.
void ReturnReport(FunctionCallInfo fcinfo, const std::vector<scrub::TableReport>& reports) {
    for (const scrub::TableReport& report : reports) {
        const char* name = report.table_name.c_str();
        scrub::pg::Guard([fcinfo, name, &report]() noexcept {
            ReturnSetInfo* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
            Datum values[5] = {CStringGetTextDatum(name), Int64GetDatum(report.rows),
                               Int32GetDatum(report.columns_kept),
                               Int32GetDatum(report.columns_scrubbed),
                               Float8GetDatum(report.milliseconds)};
            bool nulls[5] = {false, false, false, false, false};
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
        });
    }
}

// The schema scrub is installed in, from pg_extension (PostgreSQL 15 keeps
// get_extension_schema() to itself, so the row is read as it does).
std::string ExtensionSchema() {
    return scrub::pg::Guard([]() noexcept {
        Oid extension = get_extension_oid("scrub", false);
        Relation relation = table_open(ExtensionRelationId, AccessShareLock);
        ScanKeyData key;
        ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ,
                    ObjectIdGetDatum(extension));
        SysScanDesc scan =
            systable_beginscan(relation, ExtensionOidIndexId, true, nullptr, 1, &key);
        HeapTuple tuple = systable_getnext(scan);
        Oid schema = HeapTupleIsValid(tuple)
                         ? reinterpret_cast<Form_pg_extension>(GETSTRUCT(tuple))->extnamespace
                         : InvalidOid;
        systable_endscan(scan);
        table_close(relation, AccessShareLock);
        char* name = OidIsValid(schema) ? get_namespace_name(schema) : nullptr;
        if (name == nullptr) elog(ERROR, "schema of extension \"scrub\" not found");
        return name;
    });
}

// The options every entry point but scrub_suggest reads: the allowlist
// (argument 0), the source schema (argument `source_index`), the
// extension's schema and, outside UTF-8, the encoding converters.
scrub::RunOptions ReadOptions(FunctionCallInfo fcinfo, int source_index) {
    // A leftover scrub.key is a disclosed key: no run starts.
    scrub::pg::RefuseLeftoverKey();
    scrub::RunOptions options;
    options.allowlist_json = TextArgument(fcinfo, 0, "allowlist", true);
    options.source_schema = TextArgument(fcinfo, source_index, "source_schema");
    options.extension_schema = ExtensionSchema();
    bool utf8 = scrub::pg::Guard([]() noexcept {
        return GetDatabaseEncoding() == PG_UTF8 || GetDatabaseEncoding() == PG_SQL_ASCII;
    });
    if (!utf8) {
        options.to_utf8 = [](const std::string& text) { return ConvertEncoding(text, true); };
        options.from_utf8 = [](const std::string& text) { return ConvertEncoding(text, false); };
    }
    return options;
}

Datum ScrubToSchema(FunctionCallInfo fcinfo) {
    PrepareResultSet(fcinfo);
    // scrub_to_schema(allowlist, target_schema, source_schema, strict,
    // leak_check)
    scrub::RunOptions options = ReadOptions(fcinfo, 2);
    options.target_schema = TextArgument(fcinfo, 1, "target_schema");
    // A call through the 0.1.0 definition (three arguments) is not strict.
    options.strict = PG_NARGS() > 3 && BoolArgument(fcinfo, 3, "strict");
    options.leak_check = PG_NARGS() > 4 && BoolArgument(fcinfo, 4, "leak_check");

    scrub::pg::PgDatabase db;
    std::vector<scrub::TableReport> reports;
    {
        // Opened only if the plan hashes a column; its token goes into the
        // copy's scrub_hash calls as a bound parameter.
        std::optional<scrub::pg::HashPermit> permit;
        options.open_hash_permit = [&permit]() {
            permit.emplace();
            return permit->Token();
        };
        reports = scrub::RunScrub(db, options);
    }
    db.Finish();
    ReturnReport(fcinfo, reports);
    return static_cast<Datum>(0);
}

// Emits scrub_plan's rows into the result set PrepareResultSet made.
void ReturnPlan(FunctionCallInfo fcinfo, const std::vector<scrub::PlanRow>& rows) {
    for (const scrub::PlanRow& row : rows) {
        const std::optional<std::string>* fields[7] = {nullptr,       &row.column_name, &row.type,
                                                       &row.decision, &row.reason,      &row.why,
                                                       &row.problem};
        const char* texts[7] = {row.table_name.c_str()};
        for (int i = 1; i < 7; ++i) texts[i] = *fields[i] ? (*fields[i])->c_str() : nullptr;
        scrub::pg::Guard([fcinfo, &texts]() noexcept {
            ReturnSetInfo* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
            Datum values[7];
            bool nulls[7];
            for (int i = 0; i < 7; ++i) {
                nulls[i] = texts[i] == nullptr;
                values[i] = nulls[i] ? static_cast<Datum>(0) : CStringGetTextDatum(texts[i]);
            }
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
        });
    }
}

Datum ScrubPlan(FunctionCallInfo fcinfo) {
    PrepareResultSet(fcinfo);
    // scrub_plan(allowlist, source_schema, strict)
    scrub::RunOptions options = ReadOptions(fcinfo, 1);
    options.strict = BoolArgument(fcinfo, 2, "strict");

    scrub::pg::PgDatabase db;
    std::vector<scrub::PlanRow> rows;
    {
        // The rule checks call scrub_hash once, as the run does, with a
        // token of their own.
        std::optional<scrub::pg::HashPermit> permit;
        options.open_hash_permit = [&permit]() {
            permit.emplace();
            return permit->Token();
        };
        rows = scrub::PlanScrub(db, options);
    }
    db.Finish();
    ReturnPlan(fcinfo, rows);
    return static_cast<Datum>(0);
}

// Runs ExportScrub. No run token: the export's SELECTs leave the
// extension, so they call scrub_hash in its superuser-only form.
scrub::ExportResult RunExport(FunctionCallInfo fcinfo, scrub::ExportMode mode) {
    // scrub_export_*(allowlist, source_schema)
    scrub::RunOptions options = ReadOptions(fcinfo, 1);
    scrub::pg::PgDatabase db;
    scrub::ExportResult result = scrub::ExportScrub(db, options, mode);
    db.Finish();
    return result;
}

Datum ExportPlan(FunctionCallInfo fcinfo) {
    PrepareResultSet(fcinfo);
    scrub::ExportResult result = RunExport(fcinfo, scrub::ExportMode::kPlan);
    for (const scrub::ExportTable& table : result.tables) {
        std::string columns = scrub::TextArrayLiteral(table.columns);
        const char* texts[5] = {table.schema.c_str(), table.name.c_str(), columns.c_str(),
                                table.select_sql.c_str(), table.owner.c_str()};
        const scrub::ExportTable* row = &table;
        scrub::pg::Guard([fcinfo, &texts, row]() noexcept {
            ReturnSetInfo* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
            Datum values[8] = {
                CStringGetTextDatum(texts[0]), CStringGetTextDatum(texts[1]),
                // array_in caches in flinfo: called with one
                OidInputFunctionCall(F_ARRAY_IN, const_cast<char*>(texts[2]), TEXTOID, -1),
                CStringGetTextDatum(texts[3]), CStringGetTextDatum(texts[4]),
                BoolGetDatum(row->owned_by_caller), BoolGetDatum(row->uses_hash),
                Int64GetDatum(static_cast<int64>(row->estimated_bytes))};
            bool nulls[8] = {false, false, false, false, false, false, false, false};
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
        });
    }
    return static_cast<Datum>(0);
}

Datum ExportCheck(FunctionCallInfo fcinfo) {
    RunExport(fcinfo, scrub::ExportMode::kCheck);
    fcinfo->isnull = true;
    return static_cast<Datum>(0);
}

Datum ExportSequences(FunctionCallInfo fcinfo) {
    PrepareResultSet(fcinfo);
    scrub::ExportResult result = RunExport(fcinfo, scrub::ExportMode::kSequences);
    for (const scrub::ExportSequence& sequence : result.sequences) {
        const char* texts[3] = {sequence.schema.c_str(), sequence.name.c_str(),
                                sequence.last_value.c_str()};
        bool called = sequence.is_called;
        scrub::pg::Guard([fcinfo, &texts, called]() noexcept {
            ReturnSetInfo* rsinfo = reinterpret_cast<ReturnSetInfo*>(fcinfo->resultinfo);
            Datum values[4] = {CStringGetTextDatum(texts[0]), CStringGetTextDatum(texts[1]),
                               DirectFunctionCall1(int8in, CStringGetDatum(texts[2])),
                               BoolGetDatum(called)};
            bool nulls[4] = {false, false, false, false};
            tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
        });
    }
    return static_cast<Datum>(0);
}

// scrub_suggest(source_schema): the starter allowlist as jsonb. The JSON
// text is built in the server's encoding (names as the catalog gives
// them; only ASCII is escaped), which jsonb_in reads.
Datum ScrubSuggest(FunctionCallInfo fcinfo) {
    std::string source_schema = TextArgument(fcinfo, 0, "source_schema");
    scrub::pg::PgDatabase db;
    std::string json = scrub::SuggestAllowlist(db, source_schema);
    db.Finish();
    const char* text = json.c_str();
    return scrub::pg::Guard(
        [text]() noexcept { return DirectFunctionCall1(jsonb_in, CStringGetDatum(text)); });
}

}  // namespace

extern "C" Datum scrub_suggest(PG_FUNCTION_ARGS) {
    return scrub::pg::InvokeCpp(ScrubSuggest, fcinfo);
}

extern "C" Datum scrub_to_schema(PG_FUNCTION_ARGS) {
    return scrub::pg::InvokeCpp(ScrubToSchema, fcinfo);
}

extern "C" Datum scrub_plan(PG_FUNCTION_ARGS) { return scrub::pg::InvokeCpp(ScrubPlan, fcinfo); }

extern "C" Datum scrub_export_plan(PG_FUNCTION_ARGS) {
    return scrub::pg::InvokeCpp(ExportPlan, fcinfo);
}

extern "C" Datum scrub_export_check(PG_FUNCTION_ARGS) {
    return scrub::pg::InvokeCpp(ExportCheck, fcinfo);
}

extern "C" Datum scrub_export_sequences(PG_FUNCTION_ARGS) {
    return scrub::pg::InvokeCpp(ExportSequences, fcinfo);
}

extern "C" void _PG_init(void) {
    DefineCustomIntVariable(
        "scrub.debug_fail_after_tables",
        "Makes scrub_to_schema fail with an injected C++ exception after this many tables.",
        "For testing error handling only; -1 (the default) disables it.",
        &scrub_debug_fail_after_tables, -1, -1, INT_MAX, PGC_SUSET, GUC_NOT_IN_SAMPLE, nullptr,
        nullptr, nullptr);
    scrub::pg::InitGenerators();
    MarkGUCPrefixReserved("scrub");
}

// SPI access for a run. Results are copied into palloc'd C arrays inside
// the guard, then into C++ containers outside it, so no C++ allocation can
// throw through PostgreSQL's setjmp frame and no longjmp skips a destructor.
#include "pg_database.h"

#include <vector>

extern "C" {
#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "pgstat.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/backend_status.h"
}

#include "error.h"

extern "C" int scrub_debug_fail_after_tables;

namespace scrub::pg {

// Rows of a result as C strings (NULL for SQL NULL), in SPI's memory.
struct PgDatabase::SpiResult {
    uint64 processed;
    int columns;
    char** cells;  // processed * columns entries, row-major
};

namespace {

void ErrorContext(void* arg) {
    const std::string* activity = static_cast<const std::string*>(arg);
    if (!activity->empty()) errcontext("scrub_to_schema: %s", activity->c_str());
}

constexpr int kMaxDomains = 16;

struct TypeDescription {
    char* schema;
    char* name;
    char typtype;
    int32 typmod;
    bool is_array;
    int domain_count;
    Oid domains[kMaxDomains];
};

}  // namespace

PgDatabase::PgDatabase() {
    Guard([]() noexcept {
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    });
    context_callback_.callback = ErrorContext;
    context_callback_.arg = &activity_;
    context_callback_.previous = error_context_stack;
    error_context_stack = &context_callback_;
}

void PgDatabase::Finish() {
    error_context_stack = context_callback_.previous;
    Snapshot snapshot = run_snapshot_;
    run_snapshot_ = nullptr;
    Guard([snapshot]() noexcept {
        if (snapshot != nullptr) UnregisterSnapshot(snapshot);
        pgstat_report_activity(STATE_RUNNING, debug_query_string);
        if (SPI_finish() != SPI_OK_FINISH) elog(ERROR, "SPI_finish failed");
    });
}

PgDatabase::SpiResult* PgDatabase::Run(const Statement& statement, Visibility visibility,
                                       bool keep_rows) {
    std::vector<const char*> params;
    for (const auto& param : statement.params) params.push_back(param ? param->c_str() : nullptr);
    const char* sql = statement.sql.c_str();
    const char* const* param_values = params.data();
    int nparams = static_cast<int>(params.size());
    Snapshot snapshot = visibility == Visibility::kRunSnapshot ? run_snapshot_ : nullptr;
    if (visibility == Visibility::kRunSnapshot && snapshot == nullptr)
        throw ScrubError(sqlstate::kInternalError, "run snapshot used before it was taken");

    return Guard([=]() noexcept {
        Oid* types = static_cast<Oid*>(palloc0(sizeof(Oid) * (nparams + 1)));
        Datum* values = static_cast<Datum*>(palloc0(sizeof(Datum) * (nparams + 1)));
        char* nulls = static_cast<char*>(palloc0(nparams + 1));
        for (int i = 0; i < nparams; ++i) {
            types[i] = TEXTOID;
            nulls[i] = param_values[i] == nullptr ? 'n' : ' ';
            if (param_values[i] != nullptr) values[i] = CStringGetTextDatum(param_values[i]);
        }
        SPIPlanPtr plan = SPI_prepare(sql, nparams, types);
        if (plan == nullptr)
            elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
        int rc = snapshot != nullptr ? SPI_execute_snapshot(plan, values, nulls, snapshot,
                                                            InvalidSnapshot, false, false, 0)
                                     : SPI_execute_plan(plan, values, nulls, false, 0);
        if (rc < 0) elog(ERROR, "SPI failed: %s", SPI_result_code_string(rc));

        SpiResult* result = static_cast<SpiResult*>(palloc0(sizeof(SpiResult)));
        result->processed = SPI_processed;
        if (keep_rows && SPI_tuptable != nullptr) {
            TupleDesc desc = SPI_tuptable->tupdesc;
            result->columns = desc->natts;
            result->cells =
                static_cast<char**>(palloc0(sizeof(char*) * (SPI_processed * desc->natts + 1)));
            for (uint64 row = 0; row < SPI_processed; ++row)
                for (int col = 0; col < desc->natts; ++col)
                    result->cells[row * desc->natts + col] =
                        SPI_getvalue(SPI_tuptable->vals[row], desc, col + 1);
        }
        if (SPI_tuptable != nullptr) SPI_freetuptable(SPI_tuptable);
        SPI_freeplan(plan);
        return result;
    });
}

std::vector<Row> PgDatabase::Query(const Statement& statement, Visibility visibility) {
    SpiResult* result = Run(statement, visibility, true);
    std::vector<Row> rows(result->processed);
    for (uint64 row = 0; row < result->processed; ++row)
        for (int col = 0; col < result->columns; ++col) {
            const char* cell = result->cells[row * result->columns + col];
            rows[row].push_back(cell ? std::optional<std::string>(cell) : std::nullopt);
        }
    return rows;
}

uint64_t PgDatabase::Execute(const Statement& statement, Visibility visibility) {
    return Run(statement, visibility, false)->processed;
}

// Locks are held by the caller before this; in READ COMMITTED the snapshot
// is new and sees every commit up to now, in REPEATABLE READ it is the
// transaction's. Registered, so it outlives the statements that use it.
void PgDatabase::TakeRunSnapshot() {
    run_snapshot_ = Guard([]() noexcept { return RegisterSnapshot(GetTransactionSnapshot()); });
}

bool PgDatabase::ChangedAfterRunSnapshot(uint32_t relid) {
    Snapshot snapshot = run_snapshot_;
    if (snapshot == nullptr)
        throw ScrubError(sqlstate::kInternalError, "run snapshot used before it was taken");
    return Guard([relid, snapshot]() noexcept {
        HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
        if (!HeapTupleIsValid(tuple)) return true;  // dropped meanwhile
        TransactionId xmin = HeapTupleHeaderGetXmin(tuple->t_data);
        bool changed =
            !TransactionIdIsCurrentTransactionId(xmin) && XidInMVCCSnapshot(xmin, snapshot);
        ReleaseSysCache(tuple);
        return changed;
    });
}

std::string PgDatabase::QuoteIdentifier(const std::string& name) {
    const char* raw = name.c_str();
    return Guard([raw]() noexcept { return quote_identifier(raw); });
}

void PgDatabase::DescribeColumnType(uint32_t typid, int32_t typmod, ColumnInfo& column) {
    TypeDescription description = Guard([typid, typmod]() noexcept {
        TypeDescription d{};
        Oid type = typid;
        int32 mod = typmod;
        // Walk domain by domain (recording each, for the trust check), then
        // into an array's element type and through its domains likewise.
        for (;;) {
            HeapTuple tuple = SearchSysCache1(TYPEOID, ObjectIdGetDatum(type));
            if (!HeapTupleIsValid(tuple)) elog(ERROR, "cache lookup failed for type %u", type);
            Form_pg_type form = reinterpret_cast<Form_pg_type>(GETSTRUCT(tuple));
            if (form->typtype == TYPTYPE_DOMAIN) {
                if (d.domain_count == kMaxDomains)
                    elog(ERROR, "domains of type %u are nested too deeply", typid);
                d.domains[d.domain_count++] = type;
                type = form->typbasetype;
                mod = form->typtypmod;
                ReleaseSysCache(tuple);
                continue;
            }
            Oid element = d.is_array ? InvalidOid : get_element_type(type);
            if (OidIsValid(element)) {
                d.is_array = true;
                type = element;
                ReleaseSysCache(tuple);
                continue;
            }
            d.name = pstrdup(NameStr(form->typname));
            d.schema = get_namespace_name(form->typnamespace);
            d.typtype = form->typtype;
            d.typmod = mod;
            ReleaseSysCache(tuple);
            return d;
        }
    });
    column.is_array = description.is_array;
    column.scalar = {description.schema, description.name, description.typtype, description.typmod};
    column.domains.assign(description.domains, description.domains + description.domain_count);
}

void PgDatabase::ReportActivity(const std::string& activity) {
    activity_ = activity;
    std::string shown = "scrub_to_schema: " + activity;
    const char* text = shown.c_str();
    Guard([text]() noexcept { pgstat_report_activity(STATE_RUNNING, text); });
}

void PgDatabase::Log(const std::string& message) {
    const char* text = message.c_str();
    Guard([text]() noexcept { ereport(LOG, (errmsg_internal("%s", text))); });
}

int PgDatabase::FailAfterTables() { return scrub_debug_fail_after_tables; }

}  // namespace scrub::pg

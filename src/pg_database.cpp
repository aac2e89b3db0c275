// SPI access for a run. Results are copied into palloc'd C arrays inside
// the guard, then into C++ containers outside it, so no C++ allocation can
// throw through PostgreSQL's setjmp frame and no longjmp skips a destructor.
#include "pg_database.h"

#include <vector>

extern "C" {
#include "miscadmin.h"
#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/objectaddress.h"
#include "catalog/pg_aggregate.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_class.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_database.h"
#include "catalog/pg_namespace.h"
#include "catalog/pg_operator.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_ts_config.h"
#include "catalog/pg_ts_dict.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "lib/stringinfo.h"
#include "nodes/nodeFuncs.h"
#include "nodes/parsenodes.h"
#include "parser/analyze.h"
#include "parser/parser.h"
#include "parser/parsetree.h"
#include "pgstat.h"
#include "storage/lock.h"
#include "tcop/tcopprot.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/catcache.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/resowner.h"
#include "utils/ruleutils.h"
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

// The owner line is there while a statement runs as a table's owner other
// than the caller, so that an error its code raises says whose rights it had.
void ErrorContext(void* arg) {
    const auto* state = static_cast<const RunErrorContext*>(arg);
    if (!state->owner.empty()) errcontext("scrub_to_schema: running as %s", state->owner.c_str());
    if (!state->activity.empty()) errcontext("scrub_to_schema: %s", state->activity.c_str());
}

// Runs `run(arg)` as role `owner` in a security-restricted operation, the
// way ANALYZE, CREATE INDEX and REFRESH MATERIALIZED VIEW run a table's
// expressions since CVE-2022-1552: the user id becomes the owner's
// (SECURITY_LOCAL_USERID_CHANGE forbids SET ROLE and SET SESSION
// AUTHORIZATION), SECURITY_RESTRICTED_OPERATION forbids temporary tables,
// cursors WITH HOLD and the like, and a GUC nest level of its own with a
// pinned search_path reverts every setting the owner's code changes. The
// caller's user id, security context and settings are restored on both
// paths, before an error leaves this function.
void RunAsRole(Oid owner, void (*run)(void*), void* arg) {
    Oid saved_user;
    int saved_context;
    GetUserIdAndSecContext(&saved_user, &saved_context);
    SetUserIdAndSecContext(
        owner, saved_context | SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
    int nest_level = NewGUCNestLevel();
    PG_TRY();
    {
        set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET, PGC_S_SESSION,
                          GUC_ACTION_SAVE, true, 0, false);
        run(arg);
    }
    PG_FINALLY();
    {
        AtEOXact_GUC(false, nest_level);
        SetUserIdAndSecContext(saved_user, saved_context);
    }
    PG_END_TRY();
}

struct TypeDescription {
    char* schema;
    char* name;
    char typtype;
    int32 typmod;
    bool is_array;
    int enum_labels;
};

}  // namespace

PgDatabase::PgDatabase() {
    Guard([]() noexcept {
        if (SPI_connect() != SPI_OK_CONNECT) elog(ERROR, "SPI_connect failed");
    });
    context_callback_.callback = ErrorContext;
    context_callback_.arg = &context_state_;
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

namespace {

// One statement's SPI call, as plain data so that it can run as a C
// callback, either directly or inside RunAsRole.
struct SpiCall {
    const char* sql;
    const char* const* param_values;
    int nparams;
    Snapshot snapshot;  // nullptr: the transaction's latest
    bool keep_rows;
    PgDatabase::SpiResult* result;
};

}  // namespace

// Prepares and executes the statement, copying the rows out as C strings
// in the caller's memory context. Planning happens here too, so code the
// planner runs (constant folding of a constraint's functions) runs with
// the same rights as the execution.
void PgDatabase::ExecuteSpiCall(void* arg) {
    SpiCall* call = static_cast<SpiCall*>(arg);
    int nparams = call->nparams;
    Oid* types = static_cast<Oid*>(palloc0(sizeof(Oid) * (nparams + 1)));
    Datum* values = static_cast<Datum*>(palloc0(sizeof(Datum) * (nparams + 1)));
    char* nulls = static_cast<char*>(palloc0(nparams + 1));
    for (int i = 0; i < nparams; ++i) {
        types[i] = TEXTOID;
        nulls[i] = call->param_values[i] == nullptr ? 'n' : ' ';
        if (call->param_values[i] != nullptr)
            values[i] = CStringGetTextDatum(call->param_values[i]);
    }
    SPIPlanPtr plan = SPI_prepare(call->sql, nparams, types);
    if (plan == nullptr) elog(ERROR, "SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
    int rc = call->snapshot != nullptr ? SPI_execute_snapshot(plan, values, nulls, call->snapshot,
                                                              InvalidSnapshot, false, false, 0)
                                       : SPI_execute_plan(plan, values, nulls, false, 0);
    if (rc < 0) elog(ERROR, "SPI failed: %s", SPI_result_code_string(rc));

    SpiResult* result = static_cast<SpiResult*>(palloc0(sizeof(SpiResult)));
    result->processed = SPI_processed;
    if (call->keep_rows && SPI_tuptable != nullptr) {
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
    call->result = result;
}

PgDatabase::SpiResult* PgDatabase::Run(const Statement& statement, Visibility visibility,
                                       bool keep_rows, const TableOwner* owner) {
    std::vector<const char*> params;
    for (const auto& param : statement.params) params.push_back(param ? param->c_str() : nullptr);
    Snapshot snapshot = visibility == Visibility::kRunSnapshot ? run_snapshot_ : nullptr;
    if (visibility == Visibility::kRunSnapshot && snapshot == nullptr)
        throw ScrubError(sqlstate::kInternalError, "run snapshot used before it was taken");
    SpiCall call{statement.sql.c_str(),
                 params.data(),
                 static_cast<int>(params.size()),
                 snapshot,
                 keep_rows,
                 nullptr};
    SpiCall* call_ptr = &call;
    if (owner == nullptr) {
        Guard([call_ptr]() noexcept { ExecuteSpiCall(call_ptr); });
        return call.result;
    }

    Oid role = owner->oid;
    bool other_role = Guard([role]() noexcept { return role != GetUserId(); });
    if (other_role)
        context_state_.owner = "role \"" + owner->name + "\", owner of table " + owner->table;
    try {
        Guard([role, call_ptr]() noexcept { RunAsRole(role, ExecuteSpiCall, call_ptr); });
    } catch (const PostgresError& error) {
        context_state_.owner.clear();
        if (error.data()->sqlerrcode != ERRCODE_INSUFFICIENT_PRIVILEGE) throw;
        // The caller's own checks passed before this (LOCK TABLE, a read of
        // no rows); what failed is a right the owner lacks, or something
        // its code tried that a restricted operation forbids.
        std::string detail = error.data()->message != nullptr ? error.data()->message : "";
        if (error.data()->detail != nullptr) detail += "\n" + std::string(error.data()->detail);
        std::string hint =
            "scrub reads and checks each table's rows with the rights of the table's owner, in a "
            "security-restricted operation. Grant that role what it lacks (SELECT on its table, "
            "USAGE on its schema), let it read every row (no FORCE ROW LEVEL SECURITY), and keep "
            "its constraints from what such an operation forbids (SET ROLE, temporary tables).";
        if (error.data()->hint != nullptr) hint = std::string(error.data()->hint) + " " + hint;
        throw ScrubError(sqlstate::kInsufficientPrivilege,
                         "permission denied for role \"" + owner->name + "\", owner of table \"" +
                             owner->table + "\"",
                         detail, hint);
    }
    context_state_.owner.clear();
    return call.result;
}

std::vector<Row> PgDatabase::Query(const Statement& statement, Visibility visibility) {
    return Rows(Run(statement, visibility, true, nullptr));
}

std::vector<Row> PgDatabase::Rows(const SpiResult* result) {
    std::vector<Row> rows(result->processed);
    for (uint64 row = 0; row < result->processed; ++row)
        for (int col = 0; col < result->columns; ++col) {
            const char* cell = result->cells[row * result->columns + col];
            rows[row].push_back(cell ? std::optional<std::string>(cell) : std::nullopt);
        }
    return rows;
}

uint64_t PgDatabase::Execute(const Statement& statement, Visibility visibility) {
    return Run(statement, visibility, false, nullptr)->processed;
}

std::vector<Row> PgDatabase::QueryAsOwner(const TableOwner& owner, const Statement& statement,
                                          Visibility visibility) {
    return Rows(Run(statement, visibility, true, &owner));
}

uint64_t PgDatabase::ExecuteAsOwner(const TableOwner& owner, const Statement& statement,
                                    Visibility visibility) {
    return Run(statement, visibility, false, &owner)->processed;
}

// The run lock is an advisory lock tag in scrub's class whose fourth field
// is kRunLockField, which no SQL function produces: pg_advisory_lock(int8)
// sets it to 1 and the (int4, int4) forms to 2. So no session can take it
// but a run, which holds it at transaction level only (pg_locks shows it
// as an advisory lock with classid 1935896418, objid the key and objsubid
// 3).
bool PgDatabase::TryLockRun(uint32_t key) {
    return Guard([key]() noexcept {
        LOCKTAG tag;
        SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, kRunLockClass, key, kRunLockField);
        return LockAcquire(&tag, ExclusiveLock, false, true) != LOCKACQUIRE_NOT_AVAIL;
    });
}

namespace {

// A PostgreSQL error caught by Guard as scrub reports errors: its SQLSTATE,
// message, detail and hint.
ErrorReport ReportOf(const PostgresError& error) {
    const ErrorData* data = error.data();
    ErrorReport report;
    int code = data->sqlerrcode;
    report.sqlstate = Guard([code]() noexcept { return unpack_sql_state(code); });
    if (data->message != nullptr) report.message = data->message;
    if (data->detail != nullptr) report.detail = data->detail;
    if (data->hint != nullptr) report.hint = data->hint;
    return report;
}

}  // namespace

// The error was caught by Guard and flushed, without a subtransaction to
// roll back: the transaction is unusable, so the explained error must end
// the run at once (InvokeCpp reports it and the transaction aborts). One
// statement per checked object is what lets the explanation name it.
std::vector<Row> PgDatabase::QueryAsOwnerExplained(
    const TableOwner& owner, const Statement& statement, Visibility visibility,
    const std::function<ScrubError(const ErrorReport& cause)>& explain) {
    try {
        return QueryAsOwner(owner, statement, visibility);
    } catch (const PostgresError& error) {
        throw explain(ReportOf(error));
    }
}

namespace {

// What a statement would call and read, and the objects its text names,
// as OIDs (ForeignObjectsIn).
struct UsedObjects {
    List* functions;
    List* operators;
    List* domains;
    List* types;  // named by a cast or a typed constant (domains too)
    List* collations;
    List* relations;
    List* named_classes;  // with named_objects: objects a reg* constant names
    List* named_objects;
};

// PostgreSQL 15 declares tree walkers as bool (*)() (C's unprototyped
// function); through void (*)() the cast is one GCC does not warn about.
bool (*Walker(bool (*walker)(Node*, void*)))() {
    return reinterpret_cast<bool (*)()>(reinterpret_cast<void (*)()>(walker));
}

bool AddFunction(Oid function, void* context) {
    UsedObjects* used = static_cast<UsedObjects*>(context);
    used->functions = list_append_unique_oid(used->functions, function);
    return false;
}

// An operator and the function it runs.
void AddOperator(Oid op, UsedObjects* used) {
    if (!OidIsValid(op)) return;
    used->operators = list_append_unique_oid(used->operators, op);
    AddFunction(get_opcode(op), used);
}

void AddType(Oid type, UsedObjects* used) {
    if (OidIsValid(type)) used->types = list_append_unique_oid(used->types, type);
}

// The functions an aggregate runs besides its own entry.
void AddAggregateSupport(Oid aggregate, UsedObjects* used) {
    HeapTuple tuple = SearchSysCache1(AGGFNOID, ObjectIdGetDatum(aggregate));
    if (!HeapTupleIsValid(tuple)) return;
    Form_pg_aggregate form = reinterpret_cast<Form_pg_aggregate>(GETSTRUCT(tuple));
    for (Oid function :
         {form->aggtransfn, form->aggfinalfn, form->aggcombinefn, form->aggserialfn,
          form->aggdeserialfn, form->aggmtransfn, form->aggminvtransfn, form->aggmfinalfn})
        if (OidIsValid(function)) AddFunction(function, used);
    Oid sortop = form->aggsortop;
    ReleaseSysCache(tuple);
    AddOperator(sortop, used);
}

// The catalog of the object a constant of an OID alias type names
// ('app.t'::regclass, written back as its name): InvalidOid if none.
Oid NamedClass(Oid type) {
    switch (type) {
        case REGCLASSOID:
            return RelationRelationId;
        case REGTYPEOID:
            return TypeRelationId;
        case REGPROCOID:
        case REGPROCEDUREOID:
            return ProcedureRelationId;
        case REGOPEROID:
        case REGOPERATOROID:
            return OperatorRelationId;
        case REGCOLLATIONOID:
            return CollationRelationId;
        case REGCONFIGOID:
            return TSConfigRelationId;
        case REGDICTIONARYOID:
            return TSDictionaryRelationId;
        case REGNAMESPACEOID:
            return NamespaceRelationId;
        default:
            return InvalidOid;
    }
}

// The type a node's deparsed text names (ruleutils writes "::type" for a
// cast, a typed constant, ROW(...)::type, ARRAY[]::type, XMLSERIALIZE's
// AS type); InvalidOid if none.
Oid NamedType(Node* node) {
    switch (nodeTag(node)) {
        case T_Const:
            return reinterpret_cast<Const*>(node)->consttype;
        case T_FuncExpr: {
            FuncExpr* call = reinterpret_cast<FuncExpr*>(node);
            return call->funcformat == COERCE_EXPLICIT_CALL ? InvalidOid : call->funcresulttype;
        }
        case T_RelabelType:
        case T_CoerceViaIO:
        case T_ArrayCoerceExpr:
        case T_ConvertRowtypeExpr:
        case T_CoerceToDomain:
        case T_RowExpr:
        case T_ArrayExpr:
        case T_XmlExpr:
            return exprType(node);
        default:
            return InvalidOid;
    }
}

// Every function the analysed tree calls (check_functions_in_node: those
// of functions, operators, casts and I/O coercions, aggregates, window
// functions), every operator (of expressions, and of sorting, grouping
// and DISTINCT), each domain a value is coerced to (with the domains it
// is over), every relation a range table names, and what the tree's text
// names besides (NamedType, collations, NamedClass constants), in
// subqueries, CTEs and SubLinks too.
bool CollectUsed(Node* node, void* context) {
    if (node == nullptr) return false;
    UsedObjects* used = static_cast<UsedObjects*>(context);
    if (IsA(node, Query))
        return query_tree_walker(reinterpret_cast<Query*>(node), Walker(CollectUsed), context,
                                 QTW_EXAMINE_RTES_BEFORE | QTW_EXAMINE_SORTGROUP);
    if (IsA(node, RangeTblEntry)) {
        RangeTblEntry* rte = reinterpret_cast<RangeTblEntry*>(node);
        if (rte->rtekind == RTE_RELATION)
            used->relations = list_append_unique_oid(used->relations, rte->relid);
        return false;
    }
    if (IsA(node, SortGroupClause)) {
        SortGroupClause* clause = reinterpret_cast<SortGroupClause*>(node);
        AddOperator(clause->eqop, used);
        AddOperator(clause->sortop, used);
        return false;
    }
    if (IsA(node, RangeTblFunction)) {
        // A column definition list: FROM f() AS t(a type).
        ListCell* cell;
        foreach (cell, reinterpret_cast<RangeTblFunction*>(node)->funccoltypes)
            AddType(lfirst_oid(cell), used);
    }
    if (IsA(node, TableFunc)) {
        ListCell* cell;
        foreach (cell, reinterpret_cast<TableFunc*>(node)->coltypes)
            AddType(lfirst_oid(cell), used);
    }
    if (IsA(node, OpExpr) || IsA(node, DistinctExpr) || IsA(node, NullIfExpr))
        AddOperator(reinterpret_cast<OpExpr*>(node)->opno, used);
    if (IsA(node, ScalarArrayOpExpr))
        AddOperator(reinterpret_cast<ScalarArrayOpExpr*>(node)->opno, used);
    if (IsA(node, RowCompareExpr)) {
        ListCell* cell;
        foreach (cell, reinterpret_cast<RowCompareExpr*>(node)->opnos)
            AddOperator(lfirst_oid(cell), used);
    }
    if (IsA(node, CollateExpr))
        used->collations =
            list_append_unique_oid(used->collations, reinterpret_cast<CollateExpr*>(node)->collOid);
    if (IsA(node, Const) && OidIsValid(reinterpret_cast<Const*>(node)->constcollid))
        used->collations =
            list_append_unique_oid(used->collations, reinterpret_cast<Const*>(node)->constcollid);
    AddType(NamedType(node), used);
    if (IsA(node, Const) && !reinterpret_cast<Const*>(node)->constisnull &&
        OidIsValid(NamedClass(reinterpret_cast<Const*>(node)->consttype))) {
        Const* constant = reinterpret_cast<Const*>(node);
        used->named_classes = lappend_oid(used->named_classes, NamedClass(constant->consttype));
        used->named_objects =
            lappend_oid(used->named_objects, DatumGetObjectId(constant->constvalue));
    }
    if (IsA(node, SetOperationStmt)) {
        ListCell* cell;
        foreach (cell, reinterpret_cast<SetOperationStmt*>(node)->groupClauses)
            CollectUsed(static_cast<Node*>(lfirst(cell)), context);
    }
    if (IsA(node, Aggref)) AddAggregateSupport(reinterpret_cast<Aggref*>(node)->aggfnoid, used);
    if (IsA(node, CoerceToDomain)) {
        Oid type = reinterpret_cast<CoerceToDomain*>(node)->resulttype;
        for (;;) {
            HeapTuple tuple = SearchSysCache1(TYPEOID, ObjectIdGetDatum(type));
            if (!HeapTupleIsValid(tuple)) elog(ERROR, "cache lookup failed for type %u", type);
            Form_pg_type form = reinterpret_cast<Form_pg_type>(GETSTRUCT(tuple));
            bool domain = form->typtype == TYPTYPE_DOMAIN;
            Oid base = form->typbasetype;
            ReleaseSysCache(tuple);
            if (!domain) break;
            used->domains = list_append_unique_oid(used->domains, type);
            type = base;
        }
    }
    check_functions_in_node(node, AddFunction, context);
    return expression_tree_walker(node, Walker(CollectUsed), context);
}

// A refused object, in palloc'd C strings (nullptr: not the reason).
struct FoundObject {
    char* object;  // getObjectDescription
    char* owner;   // its owner, if untrusted
    bool runs_sql_text;
    char* schema;          // its schema, if the schema's owner is untrusted
    char* schema_owner;    // that owner
    char* database_owner;  // with pg_database_owner: datdba
};

struct ForeignObjectsCall {
    const char* sql;
    Oid role;
    List* trusted_relations;
    bool want_canonical;
    int count;           // out
    FoundObject* found;  // out
    char* canonical;     // out: with want_canonical and nothing foreign
};

// The one rule for the schemas of the objects an expression names: whether
// `role` (a table's owner, whose rights the expression runs with) may rely
// on what schema `nsp` holds. Scrub's statements name each object by
// schema and name and resolve it anew, and a schema's owner can rename
// the schema at any moment (no lock of scrub's conflicts with ALTER
// SCHEMA) and create another of the same name, with an object of its own
// under the old name. So the schema must be pg_catalog, or be owned by a
// superuser or by `role`; a schema owned by pg_database_owner (PostgreSQL
// 15's owner of public) counts as owned by the database's owner
// (pg_database.datdba), which is whom that role stands for. Sets `owner`
// to the schema's owner and, for pg_database_owner, `database_owner` to
// datdba (else InvalidOid).
bool TrustedSchema(Oid nsp, Oid role, Oid* owner, Oid* database_owner) {
    *owner = InvalidOid;
    *database_owner = InvalidOid;
    if (nsp == PG_CATALOG_NAMESPACE) return true;
    HeapTuple tuple = SearchSysCache1(NAMESPACEOID, ObjectIdGetDatum(nsp));
    if (!HeapTupleIsValid(tuple)) elog(ERROR, "cache lookup failed for schema %u", nsp);
    *owner = reinterpret_cast<Form_pg_namespace>(GETSTRUCT(tuple))->nspowner;
    ReleaseSysCache(tuple);
    Oid effective = *owner;
    if (effective == ROLE_PG_DATABASE_OWNER) {
        tuple = SearchSysCache1(DATABASEOID, ObjectIdGetDatum(MyDatabaseId));
        if (!HeapTupleIsValid(tuple))
            elog(ERROR, "cache lookup failed for database %u", MyDatabaseId);
        effective = *database_owner = reinterpret_cast<Form_pg_database>(GETSTRUCT(tuple))->datdba;
        ReleaseSysCache(tuple);
    }
    return effective == role || superuser_arg(effective);
}

// Records the object if its owner is untrusted (unless `owner` is
// InvalidOid: an object whose owner runs no code through it) or its
// schema is (TrustedSchema).
void AddIfForeign(ForeignObjectsCall* call, Oid class_id, Oid object, Oid owner, Oid nsp) {
    bool foreign_owner = OidIsValid(owner) && owner != call->role && !superuser_arg(owner);
    Oid schema_owner;
    Oid database_owner;
    bool foreign_schema = !TrustedSchema(nsp, call->role, &schema_owner, &database_owner);
    if (!foreign_owner && !foreign_schema) return;
    ObjectAddress address{class_id, object, 0};
    FoundObject& found = call->found[call->count++];
    found.object = getObjectDescription(&address, false);
    if (foreign_owner) found.owner = GetUserNameFromId(owner, false);
    if (foreign_schema) {
        found.schema = get_namespace_name(nsp);
        found.schema_owner = GetUserNameFromId(schema_owner, false);
        if (OidIsValid(database_owner))
            found.database_owner = GetUserNameFromId(database_owner, false);
    }
}

// The built-in functions that run SQL text or read a relation named by a
// value: what they run is not in the analysed tree.
bool RunsSqlText(const char* name) {
    static const char* const kNames[] = {
        "query_to_xml",    "query_to_xmlschema",    "query_to_xml_and_xmlschema",
        "table_to_xml",    "table_to_xmlschema",    "table_to_xml_and_xmlschema",
        "schema_to_xml",   "schema_to_xmlschema",   "schema_to_xml_and_xmlschema",
        "database_to_xml", "database_to_xmlschema", "database_to_xml_and_xmlschema",
        "cursor_to_xml",   "cursor_to_xmlschema",   "ts_stat",
        "ts_rewrite"};
    for (const char* known : kNames)
        if (strcmp(name, known) == 0) return true;
    return false;
}

// Runs as the role, so that names resolve as when the statement runs.
void FindForeignObjects(void* arg) {
    ForeignObjectsCall* call = static_cast<ForeignObjectsCall*>(arg);
    List* parsed = raw_parser(call->sql, RAW_PARSE_DEFAULT);
    if (list_length(parsed) != 1) elog(ERROR, "expected one statement");
    Query* query =
        parse_analyze_fixedparams(linitial_node(RawStmt, parsed), call->sql, nullptr, 0, nullptr);
    UsedObjects used{NIL, NIL, NIL, NIL, NIL, NIL, NIL, NIL};
    CollectUsed(reinterpret_cast<Node*>(query), &used);
    int most = list_length(used.functions) + list_length(used.operators) +
               list_length(used.domains) + 2 * list_length(used.types) +
               list_length(used.collations) + list_length(used.relations) +
               list_length(used.named_objects) + 1;
    call->found = static_cast<FoundObject*>(palloc0(sizeof(FoundObject) * most));
    ListCell* cell;
    foreach (cell, used.functions) {
        Oid function = lfirst_oid(cell);
        HeapTuple tuple = SearchSysCache1(PROCOID, ObjectIdGetDatum(function));
        if (!HeapTupleIsValid(tuple)) elog(ERROR, "cache lookup failed for function %u", function);
        Form_pg_proc form = reinterpret_cast<Form_pg_proc>(GETSTRUCT(tuple));
        Oid owner = form->proowner;
        Oid nsp = form->pronamespace;
        bool runs_sql = nsp == PG_CATALOG_NAMESPACE && RunsSqlText(NameStr(form->proname));
        ReleaseSysCache(tuple);
        if (runs_sql) {
            // Whatever the text names is beyond the analysis.
            ObjectAddress address{ProcedureRelationId, function, 0};
            FoundObject& found = call->found[call->count++];
            found.object = getObjectDescription(&address, false);
            found.runs_sql_text = true;
            continue;
        }
        AddIfForeign(call, ProcedureRelationId, function, owner, nsp);
    }
    foreach (cell, used.operators) {
        Oid op = lfirst_oid(cell);
        HeapTuple tuple = SearchSysCache1(OPEROID, ObjectIdGetDatum(op));
        if (!HeapTupleIsValid(tuple)) elog(ERROR, "cache lookup failed for operator %u", op);
        Form_pg_operator form = reinterpret_cast<Form_pg_operator>(GETSTRUCT(tuple));
        Oid owner = form->oprowner;
        Oid nsp = form->oprnamespace;
        ReleaseSysCache(tuple);
        AddIfForeign(call, OperatorRelationId, op, owner, nsp);
    }
    foreach (cell, used.domains) {
        Oid type = lfirst_oid(cell);
        HeapTuple tuple = SearchSysCache1(TYPEOID, ObjectIdGetDatum(type));
        if (!HeapTupleIsValid(tuple)) elog(ERROR, "cache lookup failed for type %u", type);
        Form_pg_type form = reinterpret_cast<Form_pg_type>(GETSTRUCT(tuple));
        Oid owner = form->typowner;
        Oid nsp = form->typnamespace;
        ReleaseSysCache(tuple);
        AddIfForeign(call, TypeRelationId, type, owner, nsp);
    }
    // A named type runs no code of its owner but its domain's (above); the
    // name resolves through its schema, and an array's through its
    // element type's.
    foreach (cell, used.types) {
        Oid type = lfirst_oid(cell);
        if (list_member_oid(used.domains, type)) continue;
        for (Oid named : {type, get_element_type(type)}) {
            if (!OidIsValid(named) || list_member_oid(used.domains, named)) continue;
            HeapTuple tuple = SearchSysCache1(TYPEOID, ObjectIdGetDatum(named));
            if (!HeapTupleIsValid(tuple)) elog(ERROR, "cache lookup failed for type %u", named);
            Oid nsp = reinterpret_cast<Form_pg_type>(GETSTRUCT(tuple))->typnamespace;
            ReleaseSysCache(tuple);
            AddIfForeign(call, TypeRelationId, named, InvalidOid, nsp);
        }
    }
    foreach (cell, used.collations) {
        Oid collation = lfirst_oid(cell);
        HeapTuple tuple = SearchSysCache1(COLLOID, ObjectIdGetDatum(collation));
        if (!HeapTupleIsValid(tuple))
            elog(ERROR, "cache lookup failed for collation %u", collation);
        Oid nsp = reinterpret_cast<Form_pg_collation>(GETSTRUCT(tuple))->collnamespace;
        ReleaseSysCache(tuple);
        AddIfForeign(call, CollationRelationId, collation, InvalidOid, nsp);
    }
    // An object a constant names ('app.t'::regclass) runs nothing by being
    // named, but the name is resolved again; an OID that names nothing
    // stays a number.
    ListCell* named_class;
    forboth(named_class, used.named_classes, cell, used.named_objects) {
        ObjectAddress address{lfirst_oid(named_class), lfirst_oid(cell), 0};
        if (!OidIsValid(address.objectId) ||
            !SearchSysCacheExists1(get_object_catcache_oid(address.classId),
                                   ObjectIdGetDatum(address.objectId)))
            continue;
        Oid nsp = address.classId == NamespaceRelationId ? address.objectId
                                                         : get_object_namespace(&address);
        AddIfForeign(call, address.classId, address.objectId, InvalidOid, nsp);
    }
    // The table a pinned expression is over is named by scrub, not by the
    // expression's text (the run's preflight checks its schema).
    Oid own_table = call->want_canonical && list_length(query->rtable) == 1
                        ? rt_fetch(1, query->rtable)->relid
                        : InvalidOid;
    foreach (cell, used.relations) {
        Oid relation = lfirst_oid(cell);
        if (list_member_oid(call->trusted_relations, relation)) continue;
        HeapTuple tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relation));
        if (!HeapTupleIsValid(tuple)) elog(ERROR, "cache lookup failed for relation %u", relation);
        Form_pg_class form = reinterpret_cast<Form_pg_class>(GETSTRUCT(tuple));
        Oid owner = form->relowner;
        Oid nsp = form->relnamespace;
        ReleaseSysCache(tuple);
        if (relation == own_table)
            AddIfForeign(call, RelationRelationId, relation, owner, PG_CATALOG_NAMESPACE);
        else
            AddIfForeign(call, RelationRelationId, relation, owner, nsp);
    }
    if (call->want_canonical && call->count == 0) {
        // The tree just analysed (and found trusted), written back as SQL
        // as pg_dump writes a view or a CHECK: under an empty search_path
        // ruleutils qualifies every object outside pg_catalog, and
        // showimplicit writes out every implicit cast, so that the text
        // resolves to these very objects wherever it is parsed again. (A
        // Const is printed by its type's output function: only after the
        // check above, and still as this role.) The setting is reverted
        // with RunAsRole's GUC nest level.
        set_config_option("search_path", "", PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE, true, 0,
                          false);
        if (list_length(query->rtable) != 1 || rt_fetch(1, query->rtable)->rtekind != RTE_RELATION)
            elog(ERROR, "expected a statement over one table");
        RangeTblEntry* rte = rt_fetch(1, query->rtable);
        Node* expression =
            query->targetList != NIL
                ? reinterpret_cast<Node*>(linitial_node(TargetEntry, query->targetList)->expr)
                : query->jointree->quals;
        if (expression == nullptr) elog(ERROR, "expected an expression to write back");
        call->canonical = deparse_expression(
            expression, deparse_context_for(rte->eref->aliasname, rte->relid), false, true);
    }
}

// The caller's memory context and resource owner, which a subtransaction
// replaces and which are restored when it ends (as PL/pgSQL's exception
// blocks do).
struct Subtransaction {
    MemoryContext context;
    ResourceOwner owner;
};

// Errors that must end the call even in scrub_plan: a cancel or shutdown
// (57), a lack of resources (53), system and internal errors (58, XX).
bool EndsTheCall(const std::string& sqlstate) {
    return sqlstate.rfind("57", 0) == 0 || sqlstate.rfind("53", 0) == 0 ||
           sqlstate.rfind("58", 0) == 0 || sqlstate.rfind("XX", 0) == 0;
}

}  // namespace

std::vector<ForeignObject> PgDatabase::ForeignObjectsIn(
    const TableOwner& runs_as, const Statement& statement,
    const std::vector<uint32_t>& trusted_relations,
    const std::function<ScrubError(const ErrorReport& cause)>& explain, std::string* canonical) {
    const uint32_t* trusted = trusted_relations.data();
    size_t trusted_count = trusted_relations.size();
    ForeignObjectsCall call{
        statement.sql.c_str(), runs_as.oid, NIL, canonical != nullptr, 0, nullptr, nullptr};
    ForeignObjectsCall* call_ptr = &call;
    try {
        Guard([call_ptr, trusted, trusted_count]() noexcept {
            for (size_t i = 0; i < trusted_count; ++i)
                call_ptr->trusted_relations =
                    lappend_oid(call_ptr->trusted_relations, static_cast<Oid>(trusted[i]));
            if (!OidIsValid(call_ptr->role)) call_ptr->role = GetUserId();
            RunAsRole(call_ptr->role, FindForeignObjects, call_ptr);
        });
    } catch (const PostgresError& error) {
        throw explain(ReportOf(error));
    }
    std::vector<ForeignObject> objects;
    auto text = [](const char* value) { return std::string(value != nullptr ? value : ""); };
    for (int i = 0; i < call.count; ++i) {
        const FoundObject& found = call.found[i];
        objects.push_back({text(found.object), text(found.owner), found.runs_sql_text,
                           text(found.schema), text(found.schema_owner),
                           text(found.database_owner)});
    }
    if (canonical != nullptr && call.canonical != nullptr) *canonical = call.canonical;
    return objects;
}

// The body's statements run inside the subtransaction; their errors are
// caught by Guard (and flushed) as always, then the subtransaction is
// rolled back, which cleans up what the failed statement left (SPI's
// executor state, snapshots, locks, memory), so statements can run after
// it. No longjmp crosses a C++ frame: every PostgreSQL call here is
// guarded.
std::optional<ScrubError> PgDatabase::Attempt(const std::function<void()>& body) {
    Subtransaction saved = Guard([]() noexcept {
        Subtransaction state{CurrentMemoryContext, CurrentResourceOwner};
        BeginInternalSubTransaction(nullptr);
        MemoryContextSwitchTo(state.context);
        return state;
    });
    auto end = [saved](bool commit) {
        Guard([saved, commit]() noexcept {
            if (commit)
                ReleaseCurrentSubTransaction();
            else
                RollbackAndReleaseCurrentSubTransaction();
            MemoryContextSwitchTo(saved.context);
            CurrentResourceOwner = saved.owner;
        });
    };
    std::optional<ScrubError> failure;
    try {
        body();
    } catch (const ScrubError& error) {
        if (EndsTheCall(error.report().sqlstate)) {
            end(false);
            throw;
        }
        failure = error;
    } catch (const PostgresError& error) {
        ErrorReport report = ReportOf(error);
        if (EndsTheCall(report.sqlstate)) {
            end(false);
            throw;
        }
        failure = ScrubError(report);
    } catch (...) {
        end(false);
        throw;
    }
    end(!failure);
    return failure;
}

// raw_parser only runs the grammar: no catalog access, no user code.
bool PgDatabase::IsOneExpression(
    const std::string& expression,
    const std::function<ScrubError(const ErrorReport& cause)>& explain) {
    std::string sql = "SELECT (" + expression + "\n)";
    const char* text = sql.c_str();
    try {
        return Guard([text]() noexcept {
            List* parsed = raw_parser(text, RAW_PARSE_DEFAULT);
            if (list_length(parsed) != 1) return false;
            RawStmt* raw = linitial_node(RawStmt, parsed);
            if (!IsA(raw->stmt, SelectStmt)) return false;
            SelectStmt* select = reinterpret_cast<SelectStmt*>(raw->stmt);
            return select->op == SETOP_NONE && list_length(select->targetList) == 1 &&
                   select->fromClause == NIL && select->whereClause == nullptr &&
                   select->distinctClause == NIL && select->intoClause == nullptr &&
                   select->groupClause == NIL && select->havingClause == nullptr &&
                   select->windowClause == NIL && select->valuesLists == NIL &&
                   select->sortClause == NIL && select->limitOffset == nullptr &&
                   select->limitCount == nullptr && select->lockingClause == NIL &&
                   select->withClause == nullptr;
        });
    } catch (const PostgresError& error) {
        // The grammar's message only, as the explanation shows it.
        ErrorReport cause = ReportOf(error);
        cause.detail.clear();
        cause.hint.clear();
        throw explain(cause);
    }
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
        // Walk domain by domain, then into an array's element type and
        // through its domains likewise.
        for (;;) {
            HeapTuple tuple = SearchSysCache1(TYPEOID, ObjectIdGetDatum(type));
            if (!HeapTupleIsValid(tuple)) elog(ERROR, "cache lookup failed for type %u", type);
            Form_pg_type form = reinterpret_cast<Form_pg_type>(GETSTRUCT(tuple));
            if (form->typtype == TYPTYPE_DOMAIN) {
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
            if (d.typtype == TYPTYPE_ENUM) {
                CatCList* labels = SearchSysCacheList1(ENUMTYPOIDNAME, ObjectIdGetDatum(type));
                d.enum_labels = labels->n_members;
                ReleaseSysCacheList(labels);
            }
            return d;
        }
    });
    column.is_array = description.is_array;
    column.scalar = {description.schema, description.name, description.typtype, description.typmod,
                     description.enum_labels};
}

void PgDatabase::ReportActivity(const std::string& activity) {
    context_state_.activity = activity;
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

// The run over a scripted Database: which statements run as a table's
// owner and which with the caller's rights, whatever the SQL they hold;
// the run's control flow (the catalog read again under the locks, the
// snapshot check, the row count, the swap last); and how scrub_plan puts
// its problems into its rows.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>

#include "run.h"
#include "scripted_database.h"

namespace scrub {
namespace {

constexpr uint32_t kOwnerOid = 200;

using testing::Contains;
using testing::Issued;
using testing::ScriptedDatabase;

// The catalog of one table, public.users (id, email, a CHECK on email),
// owned by `owner`, as the run's queries read it; the copy writes 2 rows.
ScriptedDatabase::Script UsersCatalog(const std::string& owner) {
    return [owner](const Statement& statement) -> std::vector<Row> {
        const std::string& sql = statement.sql;
        auto Has = [&sql](const char* text) { return Contains(sql, text); };

        if (Has("clock_timestamp")) return {{"2026-01-01 00:00:00+00"}};
        if (Has("pg_current_snapshot")) return {{"100:100:"}};
        if (Has("CROSS JOIN LATERAL (VALUES")) return {};  // the leak check: no leak
        if (Has("nspowner")) return {};                    // no target yet
        if (Has("CURRENT_USER")) return {{"scrubber"}};
        if (Has("pg_sequence_last_value"))  // the sequences, locked
            return {{"1", "101", std::nullopt}};
        if (Has("LEFT JOIN pg_catalog.pg_attribute s")) return {};  // scratch types match
        if (Has("pg_partition_root"))                               // the relations of the schema
            return {{"100", "users", "r", std::nullopt, std::nullopt, std::to_string(kOwnerOid),
                     owner}};
        if (Has("ORDER BY n.nspname, s.relname"))  // the sequences
            return {{"101", "public", "users_id_seq", std::to_string(kOwnerOid), owner}};
        if (Has("is_called FROM")) return {{"41", "t"}};  // a sequence's position
        if (Has("regprocedure")) return {};               // no impostors in the extension's schema
        if (Has("e.extversion, m.proname"))               // the extension's functions
            return {{"0.2.0", "scrub_fake_text"},
                    {"0.2.0", "scrub_hash"},
                    {"0.2.0", "scrub_json_keep"},
                    {"0.2.0", "scrub_json_keep_json"}};
        if (Has("pg_catalog.pg_extension e")) return {{"public", "t"}};
        if (Has("gen_random_uuid")) return {{"scrub_build_1_0123"}};
        if (Has("pg_catalog.format_type(a.atttypid"))  // the columns
            return {{"100", "id", "23", "-1", "integer", "f", "t", std::nullopt, std::nullopt},
                    {"100", "email", "25", "-1", "text", "f", "f", std::nullopt, std::nullopt}};
        if (Has("pg_get_partition_constraintdef")) return {};  // no partitions
        if (Has("contype OPERATOR(pg_catalog.=) 'c'"))         // CHECK constraints
            return {{"users", "email_check", "(email <> ''::text)", "email"}};
        if (Has("pg_catalog.bool_or")) return {{"f"}};
        if (Has("pg_catalog.count(*) FROM pg_catalog.pg_namespace")) return {{"1"}};
        if (Has("pg_catalog.count(*)")) return {{"2"}};  // source and scratch rows
        return {};  // no target yet, no foreign keys or indexes, no dependents
    };
}

std::vector<Issued> RunFor(const std::string& owner) {
    ScriptedDatabase db(UsersCatalog(owner), 2);
    RunOptions options;
    options.allowlist_json = R"({"users": ["id"]})";
    RunScrub(db, options);
    for (const Issued& statement : db.issued)
        if (statement.as_owner) {
            EXPECT_EQ(statement.owner_name, owner) << statement.sql;
            // The sequence's position is read as its owner (who owns the
            // table too, here); everything else is the table's.
            if (statement.owner_table == "public.users_id_seq")
                EXPECT_EQ(statement.sql.rfind("SELECT CAST(last_value", 0), 0u) << statement.sql;
            else
                EXPECT_EQ(statement.owner_table, "public.users") << statement.sql;
        }
    return db.issued;
}

// True if `sql` names table `name` (and not merely a longer name).
bool NamesTable(const std::string& sql, const std::string& name) {
    for (size_t pos = sql.find(name); pos != std::string::npos; pos = sql.find(name, pos + 1)) {
        size_t end = pos + name.size();
        if (end == sql.size() || sql[end] == ' ' || sql[end] == ')') return true;
    }
    return false;
}

size_t IndexOf(const std::vector<Issued>& issued, const std::string& prefix) {
    for (size_t i = 0; i < issued.size(); ++i)
        if (issued[i].sql.rfind(prefix, 0) == 0) return i;
    ADD_FAILURE() << "no statement starting with " << prefix;
    return issued.size();
}

TEST(RunRights, EveryStatementOverTheTablesRowsRunsAsItsOwner) {
    std::vector<Issued> issued = RunFor("app_owner");
    size_t first_owner = issued.size(), last_owner = 0;
    for (size_t i = 0; i < issued.size(); ++i) {
        const Issued& statement = issued[i];
        // A sequence is read by name as its owner: the name may lead to
        // that owner's view by then.
        if (NamesTable(statement.sql, "public.users_id_seq")) {
            EXPECT_EQ(statement.owner, kOwnerOid) << statement.sql;
            continue;
        }
        bool reads_source = NamesTable(statement.sql, "public.users");
        // The caller names a source table only to lock it: a query over
        // one would load the table's expressions with the caller's rights.
        bool caller_gate = statement.sql.rfind("LOCK TABLE", 0) == 0;
        bool checks = statement.sql.find("pg_catalog.bool_or") != std::string::npos;
        if ((reads_source && !caller_gate) || checks)
            EXPECT_EQ(statement.owner, kOwnerOid) << statement.sql;
        else
            EXPECT_EQ(statement.owner, 0u) << statement.sql;
        if (statement.owner != 0) {
            first_owner = std::min(first_owner, i);
            last_owner = i;
        }
    }
    ASSERT_LT(first_owner, issued.size()) << "nothing ran as the owner";

    // The caller's own right to read every row comes first; sequences and
    // every other caller statement that names a source object come before
    // any owner's code can run.
    EXPECT_LT(IndexOf(issued, "LOCK TABLE public.users"), first_owner);
    EXPECT_LT(IndexOf(issued, "SELECT c.relname, NOT pg_catalog.has_table_privilege"), first_owner);
    EXPECT_LT(IndexOf(issued, "SELECT s.position, c.oid"), first_owner);
    for (size_t i = 0; i < issued.size(); ++i) {
        if (issued[i].sql.find("public.users_id_seq") != std::string::npos) {
            EXPECT_LT(i, first_owner) << issued[i].sql;
        }
    }

    // The owner is lent its scratch table for exactly the span of its
    // statements, and the scratch table is counted with the caller's
    // rights after the grant is gone.
    size_t grant = IndexOf(issued, "GRANT SELECT, INSERT ON TABLE");
    size_t revoke = IndexOf(issued, "REVOKE SELECT, INSERT ON TABLE");
    EXPECT_LT(IndexOf(issued, "GRANT USAGE ON SCHEMA"), first_owner);
    EXPECT_LT(grant, first_owner);
    EXPECT_GT(revoke, last_owner);
    EXPECT_GT(IndexOf(issued, "REVOKE USAGE ON SCHEMA"), last_owner);
    EXPECT_NE(issued[grant].sql.find(" TO app_owner"), std::string::npos);
    bool counted_after = false;
    for (size_t i = revoke; i < issued.size(); ++i)
        counted_after =
            counted_after ||
            (issued[i].owner == 0 &&
             issued[i].sql.rfind("SELECT pg_catalog.count(*) FROM ONLY scrub_build_", 0) == 0);
    EXPECT_TRUE(counted_after);
}

TEST(RunRights, TheCallersOwnTablesNeedNoGrant) {
    std::vector<Issued> issued = RunFor("scrubber");
    for (const Issued& statement : issued) {
        EXPECT_EQ(statement.sql.rfind("GRANT", 0), std::string::npos) << statement.sql;
        EXPECT_EQ(statement.sql.rfind("REVOKE", 0), std::string::npos) << statement.sql;
    }
    EXPECT_TRUE(std::any_of(issued.begin(), issued.end(), [](const Issued& statement) {
        return statement.owner == kOwnerOid && statement.sql.rfind("INSERT INTO", 0) == 0;
    })) << "the copy still runs in a restricted operation";
}

// The run lock is taken through the Database, before any statement,
// and never with an advisory lock function any session could call too.
TEST(RunLock, TakenOnceWithTheTargetsKeyAndNeverFromSql) {
    ScriptedDatabase db(UsersCatalog("app_owner"), 2);
    RunOptions options;
    options.allowlist_json = R"({"users": ["id"]})";
    RunScrub(db, options);
    ASSERT_EQ(db.run_locks.size(), 1u);
    EXPECT_EQ(db.run_locks[0], 0x4fa0acf7u);  // FNV-1a of "scrubbed"
    for (const Issued& statement : db.issued)
        EXPECT_EQ(statement.sql.find("advisory"), std::string::npos) << statement.sql;
}

// Runs each entry point (scrub_to_schema, scrub_plan, scrub_export_plan)
// over `script`: each must refuse (42501) after issuing exactly `issued`
// statements; `check` reads each refusal.
void ExpectEveryEntryPointRefuses(const ScriptedDatabase::Script& script, size_t issued,
                                  const std::function<void(const ErrorReport&)>& check) {
    RunOptions options;
    options.allowlist_json = R"({"users": ["id"]})";
    options.extension_schema = "public";
    for (int entry = 0; entry < 3; ++entry) {
        ScriptedDatabase db(script, 2);
        try {
            if (entry == 0) RunScrub(db, options);
            if (entry == 1) PlanScrub(db, options);
            if (entry == 2) ExportScrub(db, options, ExportMode::kPlan);
            ADD_FAILURE() << "entry point " << entry << " ran";
        } catch (const ScrubError& error) {
            EXPECT_EQ(error.report().sqlstate, "42501") << entry;
            check(error.report());
        }
        ASSERT_EQ(db.issued.size(), issued) << entry;
    }
}

// An impostor of one of scrub's functions in its schema: every entry
// point refuses before it issues anything else.
TEST(RunPreamble, ImpostorsInTheExtensionsSchemaStopEveryEntryPoint) {
    ScriptedDatabase::Script users = UsersCatalog("app_owner");
    ScriptedDatabase::Script impostor = [users](const Statement& statement) -> std::vector<Row> {
        if (Contains(statement.sql, "regprocedure"))
            return {{"function scrub_table_signature(oid), owned by role mallory", "public"}};
        return users(statement);
    };
    // The extension schema's owner, then the impostors: nothing else.
    ExpectEveryEntryPointRefuses(impostor, 2, [](const ErrorReport& report) {
        EXPECT_NE(report.detail.find("scrub_table_signature(oid), owned by role mallory"),
                  std::string::npos)
            << report.detail;
    });
}

// The extension's schema owned by a role that is not a superuser (here
// public, as pg_database_owner, in a database an application role owns):
// every entry point refuses before it issues anything else.
TEST(RunPreamble, AnExtensionSchemaOfAnotherRoleStopsEveryEntryPoint) {
    ScriptedDatabase::Script users = UsersCatalog("app_owner");
    ScriptedDatabase::Script untrusted = [users](const Statement& statement) -> std::vector<Row> {
        if (Contains(statement.sql, "e.extnamespace") && Contains(statement.sql, "rolsuper"))
            return {
                {"public", "role \"pg_database_owner\" (the database's owner, role \"app\")", "f"}};
        return users(statement);
    };
    ExpectEveryEntryPointRefuses(untrusted, 1, [](const ErrorReport& report) {
        EXPECT_EQ(report.message,
                  "schema \"public\" of extension scrub is owned by role "
                  "\"pg_database_owner\" (the database's owner, role \"app\"), which is "
                  "not a superuser");
    });
}

// users (id hashed, its default drawing from users_id_seq) and orders
// (user_id -> users.id), both owned by app_owner. `dangling` answers the
// foreign-key probe on the scratch rows.
ScriptedDatabase::Script HashedKeyCatalog(bool dangling) {
    ScriptedDatabase::Script users = UsersCatalog("app_owner");
    return [users, dangling](const Statement& statement) -> std::vector<Row> {
        const std::string& sql = statement.sql;
        auto Has = [&sql](const char* text) { return Contains(sql, text); };
        if (Has("LEFT JOIN pg_catalog.pg_attribute s")) return {};  // scratch types match
        if (Has("pg_partition_root"))
            return {{"100", "users", "r", std::nullopt, std::nullopt, std::to_string(kOwnerOid),
                     "app_owner"},
                    {"102", "orders", "r", std::nullopt, std::nullopt, std::to_string(kOwnerOid),
                     "app_owner"}};
        if (Has("pg_catalog.format_type(a.atttypid"))
            return {
                {"100", "id", "23", "-1", "integer", "f", "t", std::nullopt, std::nullopt},
                {"102", "user_id", "23", "-1", "integer", "f", "f", std::nullopt, std::nullopt}};
        if (Has("pg_catalog.pg_attrdef ad")) return {{"100", "id", "101"}};  // id's sequence
        if (Has("contype OPERATOR(pg_catalog.=) 'f'"))
            return {{"orders", "orders_user_fk", "public", "users", "user_id", "id",
                     "OPERATOR(pg_catalog.=)", "t"}};
        if (Has("contype OPERATOR(pg_catalog.=) 'c'")) return {};
        if (Has("pg_catalog.max(")) return {{"32001", "-4"}};
        if (Has(" AS c WHERE ")) return {{dangling ? "t" : "f"}};
        return users(statement);
    };
}

std::vector<Issued> RunHashed(bool dangling, ErrorReport* error) {
    ScriptedDatabase db(HashedKeyCatalog(dangling), 2);
    RunOptions options;
    options.allowlist_json = R"({"users": {"columns": {"id": "hash"}}, "orders": {}})";
    try {
        RunScrub(db, options);
    } catch (const ScrubError& e) {
        if (error != nullptr) *error = e.report();
    }
    return db.issued;
}

// A foreign key with a hashed column is probed on the scratch rows after
// the copy, as the referencing table's owner, even without a row filter:
// a row pointing nowhere fails the run naming the constraint.
TEST(RunHashedKeys, ForeignKeysThroughHashedKeysAreProbedAfterTheCopy) {
    ErrorReport error;
    std::vector<Issued> issued = RunHashed(true, &error);
    EXPECT_EQ(error.sqlstate, "23503") << error.message << error.detail;
    EXPECT_NE(error.detail.find("Constraint \"orders_user_fk\" of table \"public.orders\": copied "
                                "rows refer to rows of table \"public.users\" that no copied row "
                                "matches once the key columns are hashed."),
              std::string::npos)
        << error.detail;
    size_t probe = IndexOf(issued, "SELECT EXISTS (SELECT FROM scrub_build_");
    ASSERT_LT(probe, issued.size());
    // As the caller, who owns the scratch tables: no grant to the owner.
    EXPECT_FALSE(issued[probe].as_owner);
    EXPECT_NE(issued[probe].sql.find("p.id OPERATOR(pg_catalog.=) c.user_id"), std::string::npos)
        << issued[probe].sql;
    ErrorReport none{"", "ran", "", ""};
    RunHashed(false, &none);
    EXPECT_EQ(none.message, "ran") << none.detail;
}

// The sequence a hashed column draws from is moved past the copied values:
// their greatest is read as the owner from the scratch table while it may
// read it, and the manifest row updated with the caller's rights.
TEST(RunHashedKeys, SequencesAreMovedPastTheCopiedValues) {
    std::vector<Issued> issued = RunHashed(false, nullptr);
    size_t bounds = IndexOf(issued, "SELECT CAST(pg_catalog.max(id)");
    ASSERT_LT(bounds, issued.size());
    EXPECT_TRUE(issued[bounds].as_owner);
    EXPECT_NE(issued[bounds].sql.find("FROM ONLY scrub_build_1_0123.users"), std::string::npos)
        << issued[bounds].sql;
    size_t update = IndexOf(issued, "UPDATE scrub_build_1_0123._scrub_sequences AS m");
    ASSERT_LT(update, issued.size());
    EXPECT_FALSE(issued[update].as_owner);
    EXPECT_GT(update, bounds);
    EXPECT_LT(IndexOf(issued, "GRANT SELECT, INSERT ON TABLE scrub_build_1_0123.users"), bounds);
    EXPECT_GT(IndexOf(issued, "REVOKE SELECT, INSERT ON TABLE scrub_build_1_0123.users"), bounds);
    // Kept columns leave their sequences alone.
    std::vector<Issued> kept = RunFor("app_owner");
    for (const Issued& statement : kept)
        EXPECT_EQ(statement.sql.find("pg_catalog.max("), std::string::npos) << statement.sql;
}

// --- The run's control flow: what it re-reads under its locks, what it
// refuses after its snapshot, and that nothing is swapped in unless every
// check after the copy passed.

// The statements starting with `prefix`.
size_t CountStarting(const std::vector<Issued>& issued, const std::string& prefix) {
    size_t count = 0;
    for (const Issued& statement : issued) count += statement.sql.rfind(prefix, 0) == 0 ? 1 : 0;
    return count;
}

// The columns query (ReadSourceCatalog) answered with `columns`.
ScriptedDatabase::Script WithColumns(ScriptedDatabase::Script base, std::vector<Row> columns) {
    return [base, columns](const Statement& statement) -> std::vector<Row> {
        if (Contains(statement.sql, "a.attrelid, a.attname, a.atttypid")) return columns;
        return base(statement);
    };
}

// `before` answers the first catalog read (ReadAndPlan) and `after` every
// later one: the read under the locks sees what committed while LOCK
// TABLE waited. Each read begins with the relations query.
ScriptedDatabase::Script ChangedWhileLocking(ScriptedDatabase::Script before,
                                             ScriptedDatabase::Script after) {
    auto reads = std::make_shared<int>(0);
    return [before, after, reads](const Statement& statement) -> std::vector<Row> {
        if (Contains(statement.sql, "pg_partition_root")) ++*reads;
        return *reads >= 2 ? after(statement) : before(statement);
    };
}

const Row kIdColumn{"100", "id", "23", "-1", "integer", "f", "t", std::nullopt, std::nullopt};
const Row kEmailColumn{"100", "email", "25", "-1", "text", "f", "f", std::nullopt, std::nullopt};
const Row kPhoneColumn{"100", "phone", "25", "-1", "text", "f", "f", std::nullopt, std::nullopt};

ErrorReport RunExpectingError(ScriptedDatabase& db, const RunOptions& options) {
    try {
        RunScrub(db, options);
    } catch (const ScrubError& error) {
        return error.report();
    }
    ADD_FAILURE() << "the run succeeded";
    return {};
}

// A column added while the run waited for its locks (ALTER TABLE ... ADD
// COLUMN committed in between) is copied, scrubbed: the plan the copy
// follows is the one made from the catalog read under the locks, and
// the snapshot is taken after that read.
TEST(RunReplan, AColumnAddedWhileLockingIsCopied) {
    ScriptedDatabase::Script users = UsersCatalog("app_owner");
    ScriptedDatabase db(
        ChangedWhileLocking(users, WithColumns(users, {kIdColumn, kEmailColumn, kPhoneColumn})), 2);
    RunOptions options;
    options.allowlist_json = R"({"users": ["id"]})";
    RunScrub(db, options);

    size_t lock = IndexOf(db.issued, "LOCK TABLE public.users IN ACCESS SHARE MODE");
    std::vector<size_t> reads;
    for (size_t i = 0; i < db.issued.size(); ++i)
        if (Contains(db.issued[i].sql, "pg_partition_root")) reads.push_back(i);
    ASSERT_EQ(reads.size(), 2u);
    EXPECT_LT(reads[0], lock);
    EXPECT_GT(reads[1], lock);
    EXPECT_GT(db.snapshot_taken_after, reads[1]);

    size_t create = IndexOf(db.issued, "CREATE TABLE scrub_build_1_0123.users (");
    ASSERT_LT(create, db.issued.size());
    EXPECT_TRUE(Contains(db.issued[create].sql, "phone text")) << db.issued[create].sql;
    size_t copy = IndexOf(db.issued, "INSERT INTO scrub_build_1_0123.users");
    ASSERT_LT(copy, db.issued.size());
    EXPECT_TRUE(Contains(db.issued[copy].sql, "phone")) << db.issued[copy].sql;
}

// A kept column dropped while the run waited: the plan made under the
// locks no longer matches the allowlist, and the run stops there, naming
// the column, before its snapshot and before it builds anything.
TEST(RunReplan, AKeptColumnDroppedWhileLockingStopsTheRun) {
    ScriptedDatabase::Script users = UsersCatalog("app_owner");
    ScriptedDatabase db(ChangedWhileLocking(users, WithColumns(users, {kIdColumn})), 2);
    RunOptions options;
    options.allowlist_json = R"({"users": ["id", "email"]})";
    ErrorReport error = RunExpectingError(db, options);
    EXPECT_EQ(error.sqlstate, "42704") << error.message;
    EXPECT_TRUE(Contains(error.detail, "Column \"email\" of table \"public.users\" does not exist"))
        << error.detail;
    EXPECT_EQ(db.snapshot_taken_after, std::string::npos);
    EXPECT_EQ(CountStarting(db.issued, "LOCK TABLE public.users"), 1u);
    EXPECT_EQ(CountStarting(db.issued, "CREATE"), 0u);
    for (const Issued& statement : db.issued) EXPECT_FALSE(statement.as_owner) << statement.sql;
}

// users and visits, both copied; `reversed` lists them in the other order.
ScriptedDatabase::Script TwoTables(bool reversed) {
    ScriptedDatabase::Script users = UsersCatalog("app_owner");
    return [users, reversed](const Statement& statement) -> std::vector<Row> {
        if (Contains(statement.sql, "pg_partition_root")) {
            Row a{"100",      "users", "r", std::nullopt, std::nullopt, std::to_string(kOwnerOid),
                  "app_owner"};
            Row b{"102",      "visits", "r", std::nullopt, std::nullopt, std::to_string(kOwnerOid),
                  "app_owner"};
            return reversed ? std::vector<Row>{b, a} : std::vector<Row>{a, b};
        }
        if (Contains(statement.sql, "a.attrelid, a.attname, a.atttypid"))
            return {kIdColumn,
                    {"102", "id", "23", "-1", "integer", "f", "t", std::nullopt, std::nullopt}};
        return users(statement);
    };
}

// The tables the run holds locked must be exactly those the plan made
// under the locks copies: were they another list (in PostgreSQL a table
// dropped or renamed meanwhile already fails LOCK TABLE or the allowlist's
// match, so the scripted catalog answers in another order to get here),
// the run and the export fail with a serialization failure telling to
// run again, before any snapshot or copy.
TEST(RunReplan, ALockListThatNoLongerMatchesIsASerializationFailure) {
    RunOptions options;
    options.allowlist_json = R"({"users": ["id"], "visits": ["id"]})";
    for (bool run : {true, false}) {
        ScriptedDatabase db(ChangedWhileLocking(TwoTables(false), TwoTables(true)), 2);
        ErrorReport error;
        try {
            if (run)
                RunScrub(db, options);
            else
                ExportScrub(db, options, ExportMode::kPlan);
            ADD_FAILURE() << "ran";
        } catch (const ScrubError& e) {
            error = e.report();
        }
        EXPECT_EQ(error.sqlstate, "40001") << error.message;
        EXPECT_EQ(error.message, run ? "source tables changed while scrub_to_schema waited for "
                                       "their locks"
                                     : "source tables changed while scrub-dump waited for their "
                                       "locks");
        EXPECT_EQ(error.hint, run ? "Run scrub_to_schema again." : "Run scrub-dump again.");
        EXPECT_EQ(db.snapshot_taken_after, std::string::npos);
        EXPECT_EQ(CountStarting(db.issued, "LOCK TABLE public.users, public.visits"), 1u);
        EXPECT_EQ(CountStarting(db.issued, "CREATE"), 0u);
        for (const Issued& statement : db.issued) EXPECT_FALSE(statement.as_owner) << statement.sql;
    }
}

// users partitioned, with its partition users_2026; visits.
ScriptedDatabase::Script PartitionedUsers() {
    ScriptedDatabase::Script users = UsersCatalog("app_owner");
    return [users](const Statement& statement) -> std::vector<Row> {
        const std::string owner = std::to_string(kOwnerOid);
        if (Contains(statement.sql, "pg_partition_root"))
            return {{"100", "users", "p", std::nullopt, std::nullopt, owner, "app_owner"},
                    {"103", "users_2026", "r", "users", "public", owner, "app_owner"},
                    {"104", "visits", "r", std::nullopt, std::nullopt, owner, "app_owner"}};
        if (Contains(statement.sql, "SELECT r.oid, c.relkind, n.nspname, c.relname"))
            return {{"100", "r", "public", "users_2026"}};
        return users(statement);
    };
}

// A copied table whose catalog row changed after the run snapshot (a
// TRUNCATE or rewrite it cannot see): the run fails naming the table,
// right after the snapshot (and its pg_current_snapshot() read), before
// any statement as the owner or any build. A changed partition of a
// copied tree counts too; a table copied without rows does not.
TEST(RunSnapshot, ATableChangedAfterTheSnapshotStopsTheRun) {
    RunOptions options;
    options.allowlist_json = R"({"users": ["id"], "visits": []})";
    struct Case {
        uint32_t changed;
        const char* named;  // empty: the run goes on
    };
    for (const Case& c :
         {Case{100, "public.users"}, Case{103, "public.users_2026"}, Case{104, ""}}) {
        ScriptedDatabase db(PartitionedUsers(), 2);
        db.changed_after_snapshot = {c.changed};
        if (*c.named == '\0') {
            RunScrub(db, options);
            EXPECT_EQ(CountStarting(db.issued, "ALTER SCHEMA scrub_build_1_0123 RENAME TO"), 1u);
            continue;
        }
        ErrorReport error = RunExpectingError(db, options);
        EXPECT_EQ(error.sqlstate, "40001") << error.message;
        EXPECT_EQ(error.message, "table \"" + std::string(c.named) +
                                     "\" changed after this transaction's snapshot was taken");
        EXPECT_NE(db.snapshot_taken_after, std::string::npos);
        EXPECT_EQ(db.snapshot_taken_after, db.issued.size() - 1)
            << "only the snapshot's own read follows it: " << db.issued.back().sql;
        EXPECT_EQ(CountStarting(db.issued, "CREATE"), 0u) << c.named;
        for (const Issued& statement : db.issued) EXPECT_FALSE(statement.as_owner) << statement.sql;
    }
}

// After the copy, the source's row count at the run snapshot must equal
// what the INSERT wrote: otherwise the run fails (XX001) naming the table
// and both counts, and goes no further.
TEST(RunCopy, ARowCountMismatchStopsTheRunNamingTheTable) {
    ScriptedDatabase db(UsersCatalog("app_owner"), 1);  // the source counts 2
    RunOptions options;
    options.allowlist_json = R"({"users": ["id"]})";
    ErrorReport error = RunExpectingError(db, options);
    EXPECT_EQ(error.sqlstate, "XX001") << error.message;
    EXPECT_EQ(error.message, "row count check failed for table \"public.users\"");
    EXPECT_EQ(error.detail,
              "The source has 2 rows at the run snapshot, but 1 were written to the scratch "
              "table.");
    // The count, as the owner, is the last statement.
    ASSERT_FALSE(db.issued.empty());
    EXPECT_TRUE(db.issued.back().as_owner);
    EXPECT_EQ(db.issued.back().sql.rfind("SELECT pg_catalog.count(*) FROM ONLY public.users", 0),
              0u)
        << db.issued.back().sql;
}

// A run into an existing target (an earlier run's, owned by the caller).
// `failure` breaks one check after the copy.
enum class AfterCopy { kNothing, kCheckFails, kRowsMissing, kLeak, kMadeOnCopy };

ScriptedDatabase::Script ReplacingTarget(AfterCopy failure) {
    ScriptedDatabase::Script users = UsersCatalog("app_owner");
    return [users, failure](const Statement& statement) -> std::vector<Row> {
        const std::string& sql = statement.sql;
        auto Has = [&sql](const char* text) { return Contains(sql, text); };
        if (Has("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c"))  // the target: scrub's
            return {{"t", "scrubber", "t"}};
        if (Has("WITH RECURSIVE target AS") && failure == AfterCopy::kMadeOnCopy &&
            statement.params.size() == 1 && statement.params[0] == "scrub_build_1_0123")
            return {{"view mallory.v depends on table scrub_build_1_0123.users"}};
        if (Has("pg_catalog.bool_or") && failure == AfterCopy::kCheckFails) return {{"t"}};
        if (Has("CROSS JOIN LATERAL (VALUES") && failure == AfterCopy::kLeak)
            return {{"1", "3"}};  // email: 3 faked values equal source values
        return users(statement);
    };
}

// The swap (the old target dropped, the build schema renamed to it) is
// the run's last step: a run whose check after the copy fails drops and
// renames nothing, and its error is the check's.
TEST(RunSwap, TheOldTargetIsReplacedOnlyAfterEveryCheckPassed) {
    {
        ScriptedDatabase db(ReplacingTarget(AfterCopy::kNothing), 2);
        RunOptions options;
        options.allowlist_json = R"({"users": ["id"]})";
        RunScrub(db, options);
        std::vector<std::string> executed = db.ExecutedByCaller();
        ASSERT_GE(executed.size(), 3u);
        EXPECT_EQ(executed[executed.size() - 2], "DROP SCHEMA scrubbed CASCADE");
        EXPECT_EQ(executed.back(), "ALTER SCHEMA scrub_build_1_0123 RENAME TO scrubbed");
        EXPECT_EQ(
            executed[executed.size() - 3].rfind("INSERT INTO scrub_build_1_0123._scrub_run", 0), 0u)
            << executed[executed.size() - 3];
    }
    struct Case {
        AfterCopy failure;
        uint64_t rows_written;
        const char* sqlstate;
        const char* detail;  // a line of it, naming the object
    };
    for (const Case& c : {
             Case{AfterCopy::kCheckFails, 2, "23514",
                  "Constraint \"email_check\" of table \"public.users\" fails for faked values."},
             Case{AfterCopy::kRowsMissing, 1, "XX001", "but 1 were written"},
             Case{AfterCopy::kLeak, 2, "23000",
                  "Column \"users.email\": 3 scrubbed values equal a source value"},
             Case{AfterCopy::kMadeOnCopy, 2, "2BP01",
                  "view mallory.v depends on table scrubbed.users"},
         }) {
        ScriptedDatabase db(ReplacingTarget(c.failure), c.rows_written);
        RunOptions options;
        options.allowlist_json = R"({"users": ["id"]})";
        options.leak_check = true;
        ErrorReport error = RunExpectingError(db, options);
        EXPECT_EQ(error.sqlstate, c.sqlstate) << error.message << "\n" << error.detail;
        EXPECT_TRUE(Contains(error.detail, c.detail)) << error.detail;
        EXPECT_EQ(CountStarting(db.issued, "DROP SCHEMA"), 0u) << c.sqlstate;
        EXPECT_EQ(CountStarting(db.issued, "ALTER SCHEMA"), 0u) << c.sqlstate;
        EXPECT_EQ(CountStarting(db.issued, "INSERT INTO scrub_build_1_0123._scrub_run"), 0u)
            << c.sqlstate;
    }
}

// --- scrub_plan: every problem in the row of what it concerns.

// users (id, email, location of a type without a fake) listed, orders
// not; `unreadable`: the caller may not read users.
ScriptedDatabase::Script PlannedCatalog(bool unreadable) {
    ScriptedDatabase::Script users = UsersCatalog("app_owner");
    return [users, unreadable](const Statement& statement) -> std::vector<Row> {
        const std::string& sql = statement.sql;
        const std::string owner = std::to_string(kOwnerOid);
        if (Contains(sql, "pg_partition_root"))
            return {{"102", "orders", "r", std::nullopt, std::nullopt, owner, "app_owner"},
                    {"100", "users", "r", std::nullopt, std::nullopt, owner, "app_owner"}};
        if (Contains(sql, "a.attrelid, a.attname, a.atttypid"))
            return {
                {"102", "id", "23", "-1", "integer", "f", "t", std::nullopt, std::nullopt},
                kIdColumn,
                kEmailColumn,
                {"100", "location", "600", "-1", "point", "f", "f", std::nullopt, std::nullopt}};
        if (Contains(sql, "SELECT n.nspname, c.relname, pg_catalog.has_table_privilege"))
            return unreadable ? std::vector<Row>{{"public", "users", "f"}} : std::vector<Row>{};
        return users(statement);
    };
}

// One row per table with a problem of its own (before its columns), one
// per column of each planned table in the catalog's order, each holding
// all of its problems one a line in the order found; then what no planned
// column holds (a system schema's key, a table or column that does not
// exist), each once.
TEST(PlanScrubRows, EachProblemIsInTheRowOfWhatItConcerns) {
    ScriptedDatabase db(PlannedCatalog(false));
    RunOptions options;
    options.strict = true;
    options.allowlist_json =
        R"({"users": ["id", "nickname"], "ghost": [], "pg_catalog.pg_class": []})";
    std::vector<PlanRow> rows = PlanScrub(db, options);

    using Text = std::optional<std::string>;
    struct Expected {
        std::string table;
        Text column, decision, reason, problem;
    };
    const Text none;
    const std::vector<Expected> expected{
        {"orders", none, none, none, "Table \"public.orders\" is not listed (key \"orders\")."},
        {"orders", "id", "no rows", "table not listed", none},
        {"users", "id", "keep", "listed", none},
        {"users", "email", "fake", "default fake",
         "Column \"public.users.email\" has no decision (key \"users\")."},
        {"users", "location", "fake", "default fake",
         "Column \"public.users.location\" has no decision (key \"users\").\n"
         "Column \"public.users.location\" has type point."},
        {"pg_catalog.pg_class", none, none, none,
         "Key \"pg_catalog.pg_class\" names a table of system schema \"pg_catalog\"."},
        {"ghost", none, none, none, "Table \"public.ghost\" does not exist (key \"ghost\")."},
        {"users", "nickname", none, none,
         "Column \"nickname\" of table \"public.users\" does not exist (key \"users\")."},
    };
    ASSERT_EQ(rows.size(), expected.size());
    for (size_t i = 0; i < rows.size(); ++i) {
        EXPECT_EQ(rows[i].table_name, expected[i].table) << i;
        EXPECT_EQ(rows[i].column_name, expected[i].column) << i;
        EXPECT_EQ(rows[i].decision, expected[i].decision) << i;
        EXPECT_EQ(rows[i].reason, expected[i].reason) << i;
        EXPECT_EQ(rows[i].problem, expected[i].problem) << i;
    }
    // A plan writes and locks nothing.
    EXPECT_TRUE(db.ExecutedByCaller().empty());
    EXPECT_TRUE(db.run_locks.empty());
}

// A table the caller may not read: the problem joins the table's own row
// with its row filter, and no check runs as the table's owner (the probes
// wait for a caller who may read what they read).
TEST(PlanScrubRows, ARightsProblemIsTheTablesOwnAndStopsTheProbes) {
    for (bool unreadable : {true, false}) {
        ScriptedDatabase db(PlannedCatalog(unreadable));
        RunOptions options;
        options.allowlist_json =
            R"({"users": {"rows": {"where": "id > 0"}, "columns": {"id": "keep", "email": "keep",
                                                                   "location": "keep"}}})";
        std::vector<PlanRow> rows = PlanScrub(db, options);
        auto table_row = std::find_if(rows.begin(), rows.end(), [](const PlanRow& row) {
            return row.table_name == "users" && !row.column_name;
        });
        ASSERT_NE(table_row, rows.end());
        EXPECT_EQ(table_row->decision, "rows where");
        EXPECT_EQ(table_row->reason, "row filter");
        EXPECT_EQ(table_row->why, "id > 0");
        bool as_owner = false;
        for (const Issued& statement : db.issued) as_owner = as_owner || statement.as_owner;
        if (unreadable) {
            EXPECT_EQ(table_row->problem,
                      "The run copies table \"public.users\" and needs SELECT on it.");
            EXPECT_FALSE(as_owner);
        } else {
            EXPECT_EQ(table_row->problem, std::nullopt);
            EXPECT_TRUE(as_owner) << "the probes ran";
        }
        for (const PlanRow& row : rows) {
            if (row.column_name) {
                EXPECT_EQ(row.problem, std::nullopt) << *row.column_name;
            }
        }
    }
}

}  // namespace
}  // namespace scrub

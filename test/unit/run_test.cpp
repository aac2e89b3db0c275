// The run over a scripted Database: which statements run as a table's
// owner and which with the caller's rights, whatever the SQL they hold.
#include <gtest/gtest.h>

#include <algorithm>

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
            return {{"101", "public", "users_id_seq"}};
        if (Has("regprocedure")) return {};  // no impostors in the extension's schema
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

// users (id hashed, its default drawing from users_id_seq) and orders
// (user_id -> users.id), both owned by app_owner. `dangling` answers the
// foreign-key probe on the scratch rows.
// An impostor of one of scrub's functions in its schema: every entry
// point refuses before it issues anything else.
TEST(RunPreamble, ImpostorsInTheExtensionsSchemaStopEveryEntryPoint) {
    ScriptedDatabase::Script users = UsersCatalog("app_owner");
    ScriptedDatabase::Script impostor = [users](const Statement& statement) -> std::vector<Row> {
        if (Contains(statement.sql, "regprocedure"))
            return {{"function scrub_table_signature(oid), owned by role mallory", "public"}};
        return users(statement);
    };
    RunOptions options;
    options.allowlist_json = R"({"users": ["id"]})";
    options.extension_schema = "public";
    for (int entry = 0; entry < 3; ++entry) {
        ScriptedDatabase db(impostor, 2);
        try {
            if (entry == 0) RunScrub(db, options);
            if (entry == 1) PlanScrub(db, options);
            if (entry == 2) ExportScrub(db, options, ExportMode::kPlan);
            ADD_FAILURE() << "entry point " << entry << " ran";
        } catch (const ScrubError& error) {
            EXPECT_EQ(error.report().sqlstate, "42501") << entry;
            EXPECT_NE(
                error.report().detail.find("scrub_table_signature(oid), owned by role mallory"),
                std::string::npos)
                << error.report().detail;
        }
        ASSERT_EQ(db.issued.size(), 1u) << entry;
    }
}

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

}  // namespace
}  // namespace scrub

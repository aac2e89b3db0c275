// The Database that unit tests run the pure code over: each query is
// answered by a script from its SQL text, and every statement is recorded
// with the rights it ran with, so a test can check what the run asked of
// PostgreSQL and as whom, without a server. It also records when the run
// snapshot was taken, and reports the relations a test names as changed
// after it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "database.h"
#include "test_support.h"

namespace scrub::testing {

// One statement the code under test issued.
struct Issued {
    std::string sql;
    uint32_t owner = 0;      // the OID of the table owner it ran as, if any
    std::string owner_name;  // that owner's role name
    std::string owner_table;
    bool executed = false;  // Execute rather than Query
    bool as_owner = false;  // with a table owner's rights, not the caller's
};

class ScriptedDatabase final : public Database {
  public:
    using Script = std::function<std::vector<Row>(const Statement&)>;

    // `rows_written` is what every ExecuteAsOwner (the copy's INSERT)
    // reports.
    explicit ScriptedDatabase(Script answer, uint64_t rows_written = 0)
        : answer_(std::move(answer)), rows_written_(rows_written) {}

    std::vector<Issued> issued;
    std::vector<Issued> analysed;     // statements ForeignObjectsIn was asked about
    std::vector<uint32_t> run_locks;  // keys passed to TryLockRun
    // How many statements had been issued when TakeRunSnapshot was called
    // (npos: never), so a test can tell what ran before the snapshot.
    size_t snapshot_taken_after = std::string::npos;
    // The relations ChangedAfterRunSnapshot reports as changed.
    std::vector<uint32_t> changed_after_snapshot;

    // The SQL of the statements executed with the caller's rights.
    std::vector<std::string> ExecutedByCaller() const {
        std::vector<std::string> sql;
        for (const Issued& statement : issued)
            if (statement.executed && !statement.as_owner) sql.push_back(statement.sql);
        return sql;
    }
    // The roles of the statements run as a table's owner, in order.
    std::vector<std::string> OwnerRoles() const {
        std::vector<std::string> roles;
        for (const Issued& statement : issued)
            if (statement.as_owner) roles.push_back(statement.owner_name);
        return roles;
    }

    std::vector<Row> Query(const Statement& statement, Visibility) override {
        issued.push_back({statement.sql, 0, "", "", false, false});
        return answer_(statement);
    }
    uint64_t Execute(const Statement& statement, Visibility) override {
        issued.push_back({statement.sql, 0, "", "", true, false});
        return 0;
    }
    std::vector<Row> QueryAsOwner(const TableOwner& owner, const Statement& statement,
                                  Visibility) override {
        issued.push_back({statement.sql, owner.oid, owner.name, owner.table, false, true});
        return answer_(statement);
    }
    uint64_t ExecuteAsOwner(const TableOwner& owner, const Statement& statement,
                            Visibility) override {
        issued.push_back({statement.sql, owner.oid, owner.name, owner.table, true, true});
        return rows_written_;
    }
    bool TryLockRun(uint32_t key) override {
        run_locks.push_back(key);
        return true;
    }
    // Answers IsOneExpression: expressions listed here are not one.
    std::vector<std::string> not_one_expression;
    bool IsOneExpression(const std::string& expression,
                         const std::function<ScrubError(const ErrorReport&)>&) override {
        for (const std::string& bad : not_one_expression)
            if (bad == expression) return false;
        return true;
    }
    // Answers ForeignObjectsIn for statements whose SQL contains the
    // first of a pair: the objects of its second.
    std::vector<std::pair<std::string, std::vector<ForeignObject>>> foreign_objects;
    // Answers a request for the canonical text of a statement whose SQL
    // contains the first of a pair with its second (none: left empty).
    std::vector<std::pair<std::string, std::string>> canonical_texts;
    std::vector<ForeignObject> ForeignObjectsIn(
        const TableOwner& runs_as, const Statement& statement, const std::vector<uint32_t>&,
        const std::function<ScrubError(const ErrorReport&)>&,
        std::string* canonical = nullptr) override {
        analysed.push_back(
            {statement.sql, runs_as.oid, runs_as.name, runs_as.table, false, runs_as.oid != 0});
        for (const auto& [marker, objects] : foreign_objects)
            if (statement.sql.find(marker) != std::string::npos) return objects;
        if (canonical != nullptr)
            for (const auto& [marker, text] : canonical_texts)
                if (statement.sql.find(marker) != std::string::npos) *canonical = text;
        return {};
    }
    void TakeRunSnapshot() override { snapshot_taken_after = issued.size(); }
    bool ChangedAfterRunSnapshot(uint32_t relid) override {
        for (uint32_t changed : changed_after_snapshot)
            if (changed == relid) return true;
        return false;
    }
    std::string QuoteIdentifier(const std::string& name) override { return PgQuote(name); }
    // int4 (OID 23), point (OID 600: a type scrub has no fake for) or
    // text: enough for the catalogs the scripts give.
    void DescribeColumnType(uint32_t typid, int32_t typmod, ColumnInfo& column) override {
        column.scalar = {"pg_catalog",
                         typid == 23    ? "int4"
                         : typid == 600 ? "point"
                                        : "text",
                         'b', typmod};
    }
    void ReportActivity(const std::string&) override {}
    void Log(const std::string&) override {}
    int FailAfterTables() override { return -1; }

  private:
    Script answer_;
    uint64_t rows_written_;
};

inline bool Contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

}  // namespace scrub::testing

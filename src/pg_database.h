// The Database interface implemented over SPI: the one module that talks to
// SPI (scrub.cpp reads pg_extension itself, through the catalog scan API).
// Every PostgreSQL call goes through pg::Guard.
#pragma once

#include <string>

#include "database.h"
#include "pg_boundary.h"

extern "C" {
#include "utils/snapshot.h"
}

namespace scrub::pg {

// What the run's error context callback reports.
struct RunErrorContext {
    std::string activity;  // the run's current step
    std::string owner;     // while running as a table's owner other than the caller
};

class PgDatabase final : public Database {
  public:
    // Connects to SPI and installs the run's error context.
    PgDatabase();
    // On success only: releases the snapshot, restores pg_stat_activity and
    // disconnects SPI. After an error, transaction abort cleans these up.
    void Finish();

    std::vector<Row> Query(const Statement& statement, Visibility visibility) override;
    uint64_t Execute(const Statement& statement, Visibility visibility) override;
    std::vector<Row> QueryAsOwner(const TableOwner& owner, const Statement& statement,
                                  Visibility visibility) override;
    uint64_t ExecuteAsOwner(const TableOwner& owner, const Statement& statement,
                            Visibility visibility) override;
    bool TryLockRun(uint32_t key) override;
    std::vector<Row> QueryAsOwnerExplained(
        const TableOwner& owner, const Statement& statement, Visibility visibility,
        const std::function<ScrubError(const ErrorReport& cause)>& explain) override;
    std::optional<ScrubError> Attempt(const std::function<void()>& body) override;
    bool IsOneExpression(
        const std::string& expression,
        const std::function<ScrubError(const ErrorReport& cause)>& explain) override;
    std::vector<ForeignObject> ForeignObjectsIn(
        const TableOwner& runs_as, const Statement& statement,
        const std::vector<uint32_t>& trusted_relations,
        const std::function<ScrubError(const ErrorReport& cause)>& explain,
        std::string* canonical = nullptr) override;
    void TakeRunSnapshot() override;
    bool ChangedAfterRunSnapshot(uint32_t relid) override;
    std::string QuoteIdentifier(const std::string& name) override;
    void DescribeColumnType(uint32_t typid, int32_t typmod, ColumnInfo& column) override;
    void ReportActivity(const std::string& activity) override;
    void Log(const std::string& message) override;
    int FailAfterTables() override;

    struct SpiResult;

  private:
    static void ExecuteSpiCall(void* call);
    static std::vector<Row> Rows(const SpiResult* result);
    // Runs the statement with the caller's rights, or as `owner` if given.
    SpiResult* Run(const Statement& statement, Visibility visibility, bool keep_rows,
                   const TableOwner* owner);

    Snapshot run_snapshot_ = nullptr;
    RunErrorContext context_state_;
    ErrorContextCallback context_callback_{};
};

}  // namespace scrub::pg

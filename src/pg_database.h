// The Database interface implemented over SPI: the one module that talks to
// SPI and the catalogs. Every PostgreSQL call goes through pg::Guard.
#pragma once

#include <string>

#include "database.h"
#include "pg_boundary.h"

extern "C" {
#include "utils/snapshot.h"
}

namespace scrub::pg {

class PgDatabase final : public Database {
  public:
    // Connects to SPI and installs the run's error context.
    PgDatabase();
    // On success only: releases the snapshot, restores pg_stat_activity and
    // disconnects SPI. After an error, transaction abort cleans these up.
    void Finish();

    std::vector<Row> Query(const Statement& statement, Visibility visibility) override;
    uint64_t Execute(const Statement& statement, Visibility visibility) override;
    void TakeRunSnapshot() override;
    bool ChangedAfterRunSnapshot(uint32_t relid) override;
    std::string QuoteIdentifier(const std::string& name) override;
    void DescribeColumnType(uint32_t typid, int32_t typmod, ColumnInfo& column) override;
    void ReportActivity(const std::string& activity) override;
    void Log(const std::string& message) override;
    int FailAfterTables() override;

  private:
    struct SpiResult;
    SpiResult* Run(const Statement& statement, Visibility visibility, bool keep_rows);

    Snapshot run_snapshot_ = nullptr;
    std::string activity_;  // read by the error context callback
    ErrorContextCallback context_callback_{};
};

}  // namespace scrub::pg

// Copyright (c) NEDB authors.
// SPDX-License-Identifier: Apache-2.0
//
// The databases a nedbd process holds open: every subdirectory of the data
// root is one durable NEDB, opened on first use and kept open until Drop()
// or CloseAll(). Shared by the HTTP and RESP2 front ends, so a key written
// through one is visible through the other at once.
//
// Thread safety: every method may be called from several threads at once.
#ifndef NEDB_SERVER_DB_REGISTRY_H_
#define NEDB_SERVER_DB_REGISTRY_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "nedb/nedb.h"

namespace nedbd {

class DbRegistry {
 public:
  // root: the data directory (created if missing). options: for every
  // database opened (sync policy, logger).
  DbRegistry(std::string root, nedb::Options options);
  ~DbRegistry();

  DbRegistry(const DbRegistry&) = delete;
  DbRegistry& operator=(const DbRegistry&) = delete;

  // True if name matches [A-Za-z0-9_-]{1,64}: the only names that can reach
  // the file system, so nothing can name a path outside the root.
  static bool ValidName(std::string_view name);

  // The open database `name`; opened from disk on first use. With create,
  // a missing database is created; otherwise nullptr if it does not exist.
  // Throws nedb::InvalidArgument for an invalid name, and whatever opening
  // throws (nedb::CorruptionError, nedb::LockError, ...).
  std::shared_ptr<nedb::NEDB> Get(std::string_view name, bool create);

  // Creates database `name` and returns it; nullptr if it already exists
  // (so of two concurrent creates exactly one succeeds). Throws like Get().
  std::shared_ptr<nedb::NEDB> Create(std::string_view name);

  // True if the database exists (open or on disk).
  bool Exists(std::string_view name);

  // Names of every database on disk, sorted.
  std::vector<std::string> Names();

  // Closes the database and deletes its directory. False if it did not
  // exist. Callers still holding the shared_ptr get nedb::ClosedError.
  bool Drop(std::string_view name);

  // Checkpoints every open database; returns name -> checkpoint result (or
  // {"error": "..."} for one that failed). Used on shutdown.
  std::map<std::string, nlohmann::json> CheckpointAll();

  // Closes every open database (flush + fsync).
  void CloseAll();

  // The open databases right now (for metrics).
  std::vector<std::pair<std::string, std::shared_ptr<nedb::NEDB>>> OpenDatabases();

  const std::string& root() const { return root_; }

 private:
  enum class Mode { kOpenExisting, kOpenOrCreate, kCreateNew };
  std::shared_ptr<nedb::NEDB> Open(std::string_view name, Mode mode);
  std::string PathOf(std::string_view name) const;

  const std::string root_;
  const nedb::Options options_;
  std::mutex mu_;  // guards open_
  std::map<std::string, std::shared_ptr<nedb::NEDB>, std::less<>> open_;
};

}  // namespace nedbd

#endif  // NEDB_SERVER_DB_REGISTRY_H_

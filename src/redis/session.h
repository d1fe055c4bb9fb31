// SPDX-License-Identifier: Apache-2.0
// One client's session: selected database, MULTI queue, authentication.
#ifndef NEDB_REDIS_SESSION_H_
#define NEDB_REDIS_SESSION_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "redis/internal.h"

namespace nedb {

class RedisCompat::Session {
 public:
  Session(NEDB* db, std::shared_ptr<NEDB> owner, RedisOptions options);

  RedisReply Execute(const redis::Argv& argv);
  std::vector<RedisReply> ExecuteBatch(const std::vector<redis::Argv>& commands);

  // Runs a known, arity-checked, authorized command now.
  RedisReply Run(const redis::CommandSpec& spec, const redis::Argv& argv);
  RedisReply Exec();
  // db->atomic(fn) with options.atomic_sync; remembers db if deferred.
  void Atomic(const std::function<void()>& fn);
  // The same on database d (owner: its shared owner, if any).
  void AtomicOn(NEDB* d, const std::shared_ptr<NEDB>& d_owner, const std::function<void()>& fn);
  // fn(database) inside that database's atomic(), for the selected database
  // and every other one RedisOptions::database_names lists, one at a time.
  void ForEachDatabase(const std::function<void(NEDB&)>& fn);
  // Switches to database `name` ("0": the default database).
  void Select(const std::string& name);
  // Constant-time check of a presented token; sets authenticated.
  bool CheckToken(std::string_view presented);

  NEDB* db = nullptr;
  std::shared_ptr<NEDB> owner;  // keeps db alive when shared
  RedisOptions options;
  std::string database;
  bool authenticated = false;
  bool in_multi = false;
  bool multi_failed = false;  // a command was rejected while queuing: EXECABORT
  std::vector<redis::Argv> queue;
  std::string client_name;
  bool quit = false;
  std::chrono::steady_clock::time_point created = std::chrono::steady_clock::now();
  std::string last_command;
  std::vector<std::shared_ptr<NEDB>> unsynced;  // kDefer: written since take_unsynced()

 private:
  // nullptr + *error set if argv cannot run (unknown command, arity, auth).
  const redis::CommandSpec* Check(const redis::Argv& argv, RedisReply* error);
};

}  // namespace nedb

#endif  // NEDB_REDIS_SESSION_H_

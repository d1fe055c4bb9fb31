// SPDX-License-Identifier: Apache-2.0
// RedisCompat: command lookup, checks (unknown command, arity, AUTH), MULTI
// queuing and the atomic() bracket around writes.
#include "nedb/redis_compat.h"

#include <algorithm>
#include <optional>

#include "redis/internal.h"
#include "redis/session.h"
#include "util/blake2b.h"

namespace nedb {

using redis::Argv;
using redis::CommandSpec;

namespace redis {

const std::vector<CommandSpec>& Commands() {
  static const std::vector<CommandSpec>* table = [] {
    auto* t = new std::vector<CommandSpec>();
    AddStringCommands(t);
    AddKeyCommands(t);
    AddHashCommands(t);
    AddSetCommands(t);
    AddListCommands(t);
    AddServerCommands(t);
    AddScanCommands(t);
    AddStringRangeCommands(t);
    std::sort(t->begin(), t->end(), [](const CommandSpec& a, const CommandSpec& b) {
      return std::string_view(a.name) < std::string_view(b.name);
    });
    return t;
  }();
  return *table;
}

const CommandSpec* FindCommand(std::string_view name) {
  if (name.empty() || name.size() > 32) return nullptr;
  char buf[32];
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    buf[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  const std::string_view lower(buf, name.size());
  const auto& t = Commands();
  auto it = std::lower_bound(
      t.begin(), t.end(), lower,
      [](const CommandSpec& s, std::string_view n) { return std::string_view(s.name) < n; });
  return it != t.end() && it->name == lower ? &*it : nullptr;
}

}  // namespace redis

namespace {

// Redis's "unknown command" text: each argument quoted, at most 128 bytes
// of arguments in all (C strings: an argument ends at a NUL byte).
std::string UnknownCommand(const Argv& argv) {
  std::string args;
  for (std::size_t i = 1; i < argv.size() && args.size() < 128; ++i) {
    std::string_view a(argv[i].c_str());
    a = a.substr(0, 128 - args.size());
    args.append("'").append(a).append("' ");
  }
  std::string_view name(argv[0].c_str());
  return "ERR unknown command '" + std::string(name.substr(0, 128)) +
         "', with args beginning with: " + args;
}

bool ArityOk(int arity, std::size_t argc) {
  const auto n = static_cast<std::size_t>(arity < 0 ? -arity : arity);
  return arity < 0 ? argc >= n : argc == n;
}

bool ArityOk(const CommandSpec& spec, std::size_t argc) { return ArityOk(spec.arity, argc); }

// Redis looks a container's subcommand up with the command: an unknown one
// or a wrong argument count is refused before the command runs or is
// queued (so a transaction holding it aborts).
std::optional<std::string> SubcommandError(const CommandSpec& spec, const Argv& argv) {
  const std::vector<redis::SubcommandSpec>* subs = redis::Subcommands(spec.name);
  if (subs == nullptr || argv.size() < 2) return std::nullopt;
  for (const redis::SubcommandSpec& sub : *subs) {
    if (!redis::IEquals(argv[1], sub.name)) continue;
    if (ArityOk(sub.arity, argv.size())) return std::nullopt;
    return std::string("ERR wrong number of arguments for '") + spec.name + "|" + sub.name +
           "' command";
  }
  std::string upper(spec.name);
  for (char& ch : upper) ch = static_cast<char>(ch - 'a' + 'A');
  return "ERR unknown subcommand '" +
         std::string(std::string_view(argv[1].c_str()).substr(0, 128)) + "'. Try " + upper +
         " HELP.";
}

}  // namespace

RedisCompat::Session::Session(NEDB* d, std::shared_ptr<NEDB> o, RedisOptions opts)
    : db(d), owner(std::move(o)), options(std::move(opts)), database(options.database) {
  authenticated = options.token.empty();
}

bool RedisCompat::Session::CheckToken(std::string_view presented) {
  const bool ok = SecretEquals(options.token, presented);
  if (ok) authenticated = true;
  return ok;
}

void RedisCompat::Session::Select(const std::string& name) {
  const std::string target = name == "0" ? options.database : name;
  if (target == database) return;
  if (!options.open_database) {
    redis::Fail("ERR SELECT of another database needs nedbd (embedded sessions have one database)");
  }
  std::shared_ptr<NEDB> next = options.open_database(target);
  if (!next) redis::Fail("ERR no such database '" + target + "'");
  owner = std::move(next);
  db = owner.get();
  database = target;
}

const CommandSpec* RedisCompat::Session::Check(const Argv& argv, RedisReply* error) {
  if (argv.empty()) {
    *error = RedisReply::Error("ERR empty command");
    return nullptr;
  }
  const CommandSpec* spec = redis::FindCommand(argv[0]);
  if (!spec) {
    *error = RedisReply::Error(UnknownCommand(argv));
  } else if (!ArityOk(*spec, argv.size())) {
    *error = RedisReply::Error(std::string("ERR wrong number of arguments for '") + spec->name +
                               "' command");
  } else if (std::optional<std::string> bad = SubcommandError(*spec, argv)) {
    *error = RedisReply::Error(std::move(*bad));
  } else if (!authenticated && !(spec->flags & redis::kNoAuth)) {
    *error = RedisReply::Error("NOAUTH Authentication required.");
  } else {
    return spec;
  }
  return nullptr;
}

RedisReply RedisCompat::Session::Run(const CommandSpec& spec, const Argv& argv) {
  redis::Ctx ctx{*db, *this};
  RedisReply reply;
  try {
    if (spec.flags & redis::kWrite) {
      Atomic([&] { reply = spec.fn(ctx, argv); });
    } else if (spec.flags & redis::kAllDatabases) {
      reply = spec.fn(ctx, argv);  // takes each database's atomic() itself
    } else {
      reply = spec.fn(ctx, argv);
    }
  } catch (const redis::ReplyError& e) {
    reply = RedisReply::Error(e.text);
  } catch (const std::exception& e) {
    std::string what = e.what();
    std::replace(what.begin(), what.end(), '\n', ' ');
    reply = RedisReply::Error("ERR " + what);
  }
  return reply;
}

void RedisCompat::Session::Atomic(const std::function<void()>& fn) { AtomicOn(db, owner, fn); }

void RedisCompat::Session::AtomicOn(NEDB* d, const std::shared_ptr<NEDB>& d_owner,
                                    const std::function<void()>& fn) {
  if (options.atomic_sync == AtomicSync::kDefer &&
      std::none_of(unsynced.begin(), unsynced.end(),
                   [&](const std::shared_ptr<NEDB>& u) { return u.get() == d; })) {
    // Embedded sessions do not own db: a non-owning pointer.
    unsynced.push_back(d_owner ? d_owner : std::shared_ptr<NEDB>(std::shared_ptr<NEDB>(), d));
  }
  d->atomic(fn, options.atomic_sync);
}

void RedisCompat::Session::ForEachDatabase(const std::function<void(NEDB&)>& fn) {
  AtomicOn(db, owner, [&] { fn(*db); });
  if (!options.database_names || !options.open_database) return;
  for (const std::string& name : options.database_names()) {
    if (name == database) continue;
    std::shared_ptr<NEDB> other = options.open_database(name);
    if (other && other.get() != db) AtomicOn(other.get(), other, [&] { fn(*other); });
  }
}

RedisReply RedisCompat::Session::Exec() {
  in_multi = false;
  std::vector<Argv> cmds = std::move(queue);
  queue.clear();
  if (multi_failed) {
    multi_failed = false;
    return RedisReply::Error("EXECABORT Transaction discarded because of previous errors.");
  }
  std::vector<RedisReply> replies;
  replies.reserve(cmds.size());
  // One atomic() on the database selected at EXEC: the queued writes are
  // consecutive ops and share one fsync.
  // A transaction that SELECTs another database (or runs FLUSHALL) runs
  // command by command
  // (holding two databases' write locks could deadlock with another
  // client's transaction taking them in the other order).
  auto run_all = [&] {
    for (const Argv& c : cmds) {
      if (const CommandSpec* spec = redis::FindCommand(c[0])) replies.push_back(Run(*spec, c));
    }
  };
  const bool selects = std::any_of(cmds.begin(), cmds.end(), [](const Argv& c) {
    const CommandSpec* spec = redis::FindCommand(c[0]);
    return spec &&
           (std::string_view(spec->name) == "select" || (spec->flags & redis::kAllDatabases));
  });
  try {
    if (selects) {
      run_all();
    } else {
      Atomic(run_all);
    }
  } catch (const std::exception& e) {
    while (replies.size() < cmds.size())
      replies.push_back(RedisReply::Error(std::string("ERR ") + e.what()));
  }
  return RedisReply::Array(std::move(replies));
}

RedisReply RedisCompat::Session::Execute(const Argv& argv) {
  RedisReply error;
  const CommandSpec* spec = Check(argv, &error);
  if (!spec) {
    if (in_multi) multi_failed = true;
    return error;
  }
  last_command = spec->name;
  if (in_multi && !(spec->flags & redis::kNoQueue)) {
    queue.push_back(argv);
    return RedisReply::Simple("QUEUED");
  }
  return Run(*spec, argv);
}

std::vector<RedisReply> RedisCompat::Session::ExecuteBatch(const std::vector<Argv>& commands) {
  std::vector<RedisReply> replies(commands.size());
  std::size_t i = 0;
  auto groupable = [&](const Argv& argv) {
    if (in_multi || !authenticated || argv.empty()) return false;
    const CommandSpec* spec = redis::FindCommand(argv[0]);
    return spec && (spec->flags & redis::kWrite) && ArityOk(*spec, argv.size());
  };
  while (i < commands.size()) {
    std::size_t j = i;
    while (j < commands.size() && groupable(commands[j])) ++j;
    if (j - i >= 2) {
      // A run of writes: one atomic() (one lock, one fsync) for all of them.
      try {
        Atomic([&] {
          for (std::size_t k = i; k < j; ++k) replies[k] = Execute(commands[k]);
        });
      } catch (const std::exception& e) {
        // atomic() itself failed (closed database, failed fsync): nothing
        // of the run is known to be durable.
        for (std::size_t k = i; k < j; ++k)
          replies[k] = RedisReply::Error(std::string("ERR ") + e.what());
      }
      i = j;
    } else {
      replies[i] = Execute(commands[i]);
      ++i;
    }
  }
  return replies;
}

RedisCompat::RedisCompat(NEDB& db, RedisOptions options)
    : s_(std::make_unique<Session>(&db, nullptr, std::move(options))) {}

RedisCompat::RedisCompat(std::shared_ptr<NEDB> db, RedisOptions options) {
  NEDB* raw = db.get();
  s_ = std::make_unique<Session>(raw, std::move(db), std::move(options));
}

RedisCompat::~RedisCompat() = default;

RedisReply RedisCompat::execute(const std::vector<std::string>& argv) { return s_->Execute(argv); }

std::vector<RedisReply> RedisCompat::execute_batch(
    const std::vector<std::vector<std::string>>& commands) {
  return s_->ExecuteBatch(commands);
}

bool RedisCompat::IsWriteCommand(std::string_view name) {
  const CommandSpec* spec = redis::FindCommand(name);
  // EXEC runs queued writes.
  return spec && ((spec->flags & (redis::kWrite | redis::kAllDatabases)) ||
                  std::string_view(spec->name) == "exec");
}

bool RedisCompat::IsQuit(std::string_view name) { return redis::IEquals(name, "quit"); }

std::vector<std::shared_ptr<NEDB>> RedisCompat::take_unsynced() {
  std::vector<std::shared_ptr<NEDB>> out;
  out.swap(s_->unsynced);
  return out;
}

bool RedisCompat::quit() const { return s_->quit; }
const std::string& RedisCompat::database() const { return s_->database; }

}  // namespace nedb

// SPDX-License-Identifier: Apache-2.0
// Connection and server commands: PING ECHO SELECT QUIT AUTH HELLO CLIENT
// COMMAND INFO CONFIG TIME, MULTI EXEC DISCARD, and EVAL "<nql>" 0.
#include <unistd.h>

#include "nedb/env.h"
#include "redis/internal.h"
#include "redis/session.h"

namespace nedb::redis {

namespace {

// What HELLO and INFO report: the Redis version whose behaviour this layer
// follows (clients gate features on it).
constexpr const char* kRedisVersion = "7.0.0";

RedisCompat::Session& S(Ctx& c) { return c.session; }

[[noreturn]] void WrongArgs(const char* name) {
  Fail(std::string("ERR wrong number of arguments for '") + name + "' command");
}

[[noreturn]] void UnknownSubcommand(const std::string& sub, const char* cmd) {
  Fail("ERR unknown subcommand '" + sub.substr(0, 128) + "'. Try " + cmd + " HELP.");
}

RedisReply Ping(Ctx&, const Argv& a) {
  if (a.size() > 2) WrongArgs("ping");
  return a.size() == 2 ? RedisReply::Bulk(a[1]) : RedisReply::Simple("PONG");
}

RedisReply Echo(Ctx&, const Argv& a) { return RedisReply::Bulk(a[1]); }

RedisReply Select(Ctx& c, const Argv& a) {
  S(c).Select(a[1]);
  return RedisReply::Ok();
}

RedisReply Quit(Ctx& c, const Argv&) {
  S(c).quit = true;
  return RedisReply::Ok();
}

RedisReply Auth(Ctx& c, const Argv& a) {
  if (a.size() > 3) Fail(kSyntaxError);
  const bool with_user = a.size() == 3;
  if (S(c).options.token.empty()) {
    if (with_user && a[1] == "default") return RedisReply::Ok();
    if (!with_user) {
      Fail(
          "ERR AUTH <password> called without any password configured for the default user. "
          "Are you sure your configuration is correct?");
    }
  } else if ((!with_user || a[1] == "default") && S(c).CheckToken(a.back())) {
    return RedisReply::Ok();
  }
  Fail("WRONGPASS invalid username-password pair or user is disabled.");
}

bool ValidClientName(const std::string& name) {
  for (char ch : name) {
    if (ch < '!' || ch > '~') return false;
  }
  return true;
}

RedisReply HelloReply(Ctx& c) {
  return RedisReply::Array(
      {RedisReply::Bulk("server"), RedisReply::Bulk("redis"), RedisReply::Bulk("version"),
       RedisReply::Bulk(kRedisVersion), RedisReply::Bulk("proto"), RedisReply::Integer(2),
       RedisReply::Bulk("id"), RedisReply::Integer(S(c).options.client_id),
       RedisReply::Bulk("mode"), RedisReply::Bulk("standalone"), RedisReply::Bulk("role"),
       RedisReply::Bulk("master"), RedisReply::Bulk("modules"), RedisReply::Array({})});
}

RedisReply Hello(Ctx& c, const Argv& a) {
  if (a.size() >= 2) {
    std::int64_t ver;
    if (!ToInt64(a[1], &ver)) Fail("ERR Protocol version is not an integer or out of range");
    if (ver != 2) Fail("NOPROTO unsupported protocol version");  // RESP3 is not spoken
  }
  std::string name;
  bool set_name = false;
  for (std::size_t i = 2; i < a.size(); ++i) {
    const bool more = a.size() - i - 1;
    if (IEquals(a[i], "auth") && a.size() - i - 1 >= 2) {
      const bool ok =
          a[i + 1] == "default" && (S(c).options.token.empty() || S(c).CheckToken(a[i + 2]));
      if (!ok) Fail("WRONGPASS invalid username-password pair or user is disabled.");
      i += 2;
    } else if (IEquals(a[i], "setname") && more) {
      name = a[++i];
      set_name = true;
    } else {
      Fail("ERR Syntax error in HELLO option '" + a[i].substr(0, 128) + "'");
    }
  }
  if (!S(c).authenticated) {
    Fail(
        "NOAUTH HELLO must be called with the client already authenticated, otherwise the "
        "HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and "
        "select the RESP protocol version at the same time");
  }
  if (set_name) {
    if (!ValidClientName(name)) {
      Fail("ERR Client names cannot contain spaces, newlines or special characters.");
    }
    S(c).client_name = name;
  }
  return HelloReply(c);
}

std::string ClientLine(Ctx& c) {
  const auto age = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::steady_clock::now() - S(c).created)
                       .count();
  return "id=" + std::to_string(S(c).options.client_id) + " addr=" + S(c).options.peer +
         " laddr=" + S(c).options.local + " fd=0 name=" + S(c).client_name +
         " age=" + std::to_string(age) + " idle=0 flags=" + (S(c).in_multi ? "x" : "N") +
         " db=" + S(c).database + " sub=0 psub=0 ssub=0 multi=" +
         (S(c).in_multi ? std::to_string(S(c).queue.size()) : std::string("-1")) +
         " qbuf=0 qbuf-free=0 argv-mem=0 multi-mem=0 rbs=0 rbp=0 obl=0 oll=0 omem=0 tot-mem=0"
         " events=r cmd=" +
         S(c).last_command + " user=default redir=-1 resp=2\n";
}

RedisReply Client(Ctx& c, const Argv& a) {
  const std::string sub = Lower(a[1]);
  auto need = [&](std::size_t n, const char* full) {
    if (a.size() != n) WrongArgs(full);
  };
  if (sub == "setname") {
    need(3, "client|setname");
    if (!ValidClientName(a[2])) {
      Fail("ERR Client names cannot contain spaces, newlines or special characters.");
    }
    S(c).client_name = a[2];
    return RedisReply::Ok();
  }
  if (sub == "getname") {
    need(2, "client|getname");
    return S(c).client_name.empty() ? RedisReply::Nil() : RedisReply::Bulk(S(c).client_name);
  }
  if (sub == "id") {
    need(2, "client|id");
    return RedisReply::Integer(S(c).options.client_id);
  }
  if (sub == "info") {
    need(2, "client|info");
    return RedisReply::Bulk(ClientLine(c));
  }
  if (sub == "list") return RedisReply::Bulk(ClientLine(c));
  if (sub == "setinfo") {
    need(4, "client|setinfo");
    return RedisReply::Ok();
  }
  UnknownSubcommand(a[1], "CLIENT");
}

RedisReply CommandInfo(const CommandSpec& s) {
  std::vector<RedisReply> flags;
  if (s.flags & kWrite) flags.push_back(RedisReply::Simple("write"));
  if (s.flags & kReadOnly) flags.push_back(RedisReply::Simple("readonly"));
  if (s.flags & kNoAuth) flags.push_back(RedisReply::Simple("no_auth"));
  if (s.flags & kSession) flags.push_back(RedisReply::Simple("fast"));
  return RedisReply::Array({RedisReply::Bulk(s.name), RedisReply::Integer(s.arity),
                            RedisReply::Array(std::move(flags)), RedisReply::Integer(s.first_key),
                            RedisReply::Integer(s.last_key), RedisReply::Integer(s.step),
                            RedisReply::Array({RedisReply::Simple(std::string("@") + s.group)}),
                            RedisReply::Array({}), RedisReply::Array({}), RedisReply::Array({})});
}

RedisReply CommandDocs(const CommandSpec& s) {
  return RedisReply::Array({RedisReply::Bulk("summary"), RedisReply::Bulk(s.summary),
                            RedisReply::Bulk("since"), RedisReply::Bulk("1.0.0"),
                            RedisReply::Bulk("group"), RedisReply::Bulk(s.group),
                            RedisReply::Bulk("complexity"), RedisReply::Bulk("O(1)")});
}

RedisReply Command(Ctx&, const Argv& a) {
  const auto& all = Commands();
  std::vector<RedisReply> out;
  if (a.size() == 1) {
    for (const CommandSpec& s : all) out.push_back(CommandInfo(s));
    return RedisReply::Array(std::move(out));
  }
  const std::string sub = Lower(a[1]);
  if (sub == "count") {
    if (a.size() != 2) WrongArgs("command|count");
    return RedisReply::Integer(static_cast<std::int64_t>(all.size()));
  }
  if (sub == "list") {
    for (const CommandSpec& s : all) out.push_back(RedisReply::Bulk(s.name));
    return RedisReply::Array(std::move(out));
  }
  if (sub == "info") {
    if (a.size() == 2) {
      for (const CommandSpec& s : all) out.push_back(CommandInfo(s));
    }
    for (std::size_t i = 2; i < a.size(); ++i) {
      const CommandSpec* s = FindCommand(a[i]);
      out.push_back(s ? CommandInfo(*s) : RedisReply::Nil());
    }
    return RedisReply::Array(std::move(out));
  }
  if (sub == "docs") {
    auto add = [&](const CommandSpec& s) {
      out.push_back(RedisReply::Bulk(s.name));
      out.push_back(CommandDocs(s));
    };
    if (a.size() == 2) {
      for (const CommandSpec& s : all) add(s);
    }
    for (std::size_t i = 2; i < a.size(); ++i) {
      if (const CommandSpec* s = FindCommand(a[i])) add(*s);
    }
    return RedisReply::Array(std::move(out));
  }
  UnknownSubcommand(a[1], "COMMAND");
}

RedisReply Info(Ctx& c, const Argv& a) {
  std::string section = a.size() > 1 ? Lower(a[1]) : "default";
  const bool all = section == "default" || section == "all" || section == "everything";
  std::string out;
  if (all || section == "server") {
    out += "# Server\r\nredis_version:" + std::string(kRedisVersion) +
           "\r\nredis_mode:standalone\r\nos:Linux\r\narch_bits:64\r\nprocess_id:" +
           std::to_string(getpid()) + "\r\nnedb_version:" + kVersion +
           "\r\nnedb_database:" + S(c).database + "\r\n\r\n";
  }
  if (all || section == "keyspace") {
    std::uint64_t keys = 0;
    for (const auto& [coll, n] : c.db.stats().collections) {
      if (coll != kListItems) keys += n;
    }
    out += "# Keyspace\r\n";
    if (keys > 0) out += "db0:keys=" + std::to_string(keys) + ",expires=0,avg_ttl=0\r\n";
    out += "\r\n";
  }
  return RedisReply::Bulk(std::move(out));
}

// CONFIG GET answers what clients probe (redis-benchmark asks for "save"
// and "appendonly"); nothing is settable. As in Redis, an exact name is
// answered as it was asked, a pattern with the parameter's own name, each
// parameter once.
RedisReply Config(Ctx&, const Argv& a) {
  const std::string sub = Lower(a[1]);
  if (sub == "get") {
    static const std::pair<const char*, const char*> kParams[] = {
        {"save", ""}, {"appendonly", "yes"}, {"databases", "16"}};
    std::vector<std::pair<std::string, const char*>> found;  // (name answered, value)
    auto seen = [&](std::string_view name) {
      for (const auto& f : found) {
        if (IEquals(f.first, name)) return true;
      }
      return false;
    };
    for (std::size_t i = 2; i < a.size(); ++i) {
      const std::string_view pattern(a[i].c_str());  // a C string in Redis
      const bool glob = pattern.find_first_of("[*?") != std::string_view::npos;
      for (const auto& [name, value] : kParams) {
        if (glob ? GlobMatch(pattern, name, true) && !seen(name)
                 : IEquals(pattern, name) && !seen(pattern)) {
          found.emplace_back(glob ? std::string(name) : std::string(pattern), value);
        }
      }
    }
    std::vector<RedisReply> out;
    for (auto& [name, value] : found) {
      out.push_back(RedisReply::Bulk(std::move(name)));
      out.push_back(RedisReply::Bulk(value));
    }
    return RedisReply::Array(std::move(out));
  }
  if (sub == "resetstat") return RedisReply::Ok();
  if (sub == "set") Fail("ERR CONFIG SET is not supported by nedbd (configure nedbd instead)");
  UnknownSubcommand(a[1], "CONFIG");
}

// TIME: seconds and microseconds since the epoch, as two bulk strings.
RedisReply Time(Ctx&, const Argv&) {
  const std::uint64_t us = Env::Default()->NowMicros();
  return RedisReply::Array({RedisReply::Bulk(std::to_string(us / 1000000)),
                            RedisReply::Bulk(std::to_string(us % 1000000))});
}

RedisReply Multi(Ctx& c, const Argv&) {
  if (S(c).in_multi) Fail("ERR MULTI calls can not be nested");
  S(c).in_multi = true;
  S(c).multi_failed = false;
  S(c).queue.clear();
  return RedisReply::Ok();
}

RedisReply Exec(Ctx& c, const Argv&) {
  if (!S(c).in_multi) Fail("ERR EXEC without MULTI");
  return S(c).Exec();
}

RedisReply Discard(Ctx& c, const Argv&) {
  if (!S(c).in_multi) Fail("ERR DISCARD without MULTI");
  S(c).in_multi = false;
  S(c).multi_failed = false;
  S(c).queue.clear();
  return RedisReply::Ok();
}

// EVAL "<nql>" numkeys [key ...] [arg ...]: runs the script as NQL; each
// row is a bulk string of its JSON.
RedisReply Eval(Ctx& c, const Argv& a) {
  const std::int64_t numkeys = ParseInt(a[2]);
  if (numkeys < 0) Fail("ERR Number of keys can't be negative");
  if (numkeys > static_cast<std::int64_t>(a.size()) - 3) {
    Fail("ERR Number of keys can't be greater than number of args");
  }
  std::vector<RedisReply> out;
  for (const nlohmann::json& row : c.db.query(a[1])) out.push_back(RedisReply::Bulk(row.dump()));
  return RedisReply::Array(std::move(out));
}

}  // namespace

const std::vector<SubcommandSpec>* Subcommands(std::string_view name) {
  static const std::vector<SubcommandSpec> kClient = {
      {"setname", 3}, {"getname", 2}, {"id", 2}, {"info", 2}, {"list", -2}, {"setinfo", 4}};
  static const std::vector<SubcommandSpec> kConfig = {{"get", -3}, {"set", -4}, {"resetstat", 2}};
  static const std::vector<SubcommandSpec> kCommand = {
      {"count", 2}, {"list", -2}, {"info", -2}, {"docs", -2}};
  if (name == "client") return &kClient;
  if (name == "config") return &kConfig;
  if (name == "command") return &kCommand;
  return nullptr;
}

void AddServerCommands(std::vector<CommandSpec>* out) {
  const char* g = "connection";
  const char* s = "server";
  out->insert(
      out->end(),
      {
          {"ping", -1, kSession, Ping, g, "Returns the server's liveliness response", 0, 0, 0},
          {"echo", 2, kSession, Echo, g, "Returns the given string", 0, 0, 0},
          {"select", 2, kSession, Select, g,
           "Opens (creating it if needed) the named NEDB database", 0, 0, 0},
          {"quit", -1, kSession | kNoAuth | kNoQueue, Quit, g, "Closes the connection", 0, 0, 0},
          {"auth", -2, kSession | kNoAuth, Auth, g, "Authenticates the connection", 0, 0, 0},
          {"hello", -1, kSession | kNoAuth, Hello, g, "Handshakes with the server (RESP2 only)", 0,
           0, 0},
          {"client", -2, kSession, Client, g, "A container for client connection commands", 0, 0,
           0},
          {"command", -1, kSession, Command, s, "Returns detailed information about all commands",
           0, 0, 0},
          {"info", -1, kSession, Info, s, "Returns information and statistics about the server", 0,
           0, 0},
          {"config", -2, kSession, Config, s, "A container for server configuration commands", 0, 0,
           0},
          {"time", 1, kSession, Time, s, "Returns the server time", 0, 0, 0},
          {"multi", 1, kSession | kNoQueue, Multi, "transactions", "Starts a transaction", 0, 0, 0},
          {"exec", 1, kSession | kNoQueue, Exec, "transactions",
           "Executes all commands in a transaction atomically", 0, 0, 0},
          {"discard", 1, kSession | kNoQueue, Discard, "transactions", "Discards a transaction", 0,
           0, 0},
          {"eval", -3, kReadOnly, Eval, "scripting",
           "Runs an NQL query; rows come back as JSON strings", 0, 0, 0},
      });
}

}  // namespace nedb::redis

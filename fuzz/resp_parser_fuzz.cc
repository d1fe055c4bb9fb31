// SPDX-License-Identifier: Apache-2.0
// libFuzzer target over the RESP2 request parser and the Redis command
// layer: the input, fed in chunks whose sizes the input picks, must parse
// to the same commands (or the same error) as when fed whole; every parsed
// command then runs on an in-memory NEDB through RedisCompat, and every
// reply must encode. Seeds: fuzz/corpus/resp/.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "nedb/nedb.h"
#include "nedb/redis_compat.h"

namespace {

struct Parsed {
  std::vector<std::vector<std::string>> commands;
  bool error = false;
  std::string message;
};

Parsed ParseChunked(const std::string& wire, std::size_t chunk) {
  nedb::RespParser p(1u << 16);
  Parsed out;
  std::vector<std::string> argv;
  for (std::size_t i = 0; i < wire.size() && !out.error; i += chunk) {
    p.Feed(std::string_view(wire).substr(i, chunk));
    for (;;) {
      const auto st = p.Next(&argv);
      if (st == nedb::RespParser::Status::kCommand) {
        out.commands.push_back(argv);
      } else {
        if (st == nedb::RespParser::Status::kError) {
          out.error = true;
          out.message = p.error();
        }
        break;
      }
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t chunk = 1 + data[0] % 17;
  const std::string wire(reinterpret_cast<const char*>(data) + 1, size - 1);
  const Parsed whole = ParseChunked(wire, wire.size() + 1);
  const Parsed split = ParseChunked(wire, chunk);
  if (whole.commands != split.commands || whole.error != split.error ||
      whole.message != split.message) {
    __builtin_trap();
  }
  nedb::NEDB db;
  nedb::RedisCompat r(db);
  std::size_t n = 0;
  for (const auto& argv : whole.commands) {
    if (++n > 64) break;
    const nedb::RedisReply reply = r.execute(argv);
    const std::string resp = reply.ToResp();
    if (resp.empty() || resp.size() < 3 || resp.substr(resp.size() - 2) != "\r\n") __builtin_trap();
  }
  // The batch path answers like one-by-one execution.
  nedb::NEDB db2;
  nedb::RedisCompat r2(db2);
  std::vector<std::vector<std::string>> first(
      whole.commands.begin(),
      whole.commands.begin() + std::min<std::size_t>(whole.commands.size(), 16));
  nedb::NEDB db3;
  nedb::RedisCompat r3(db3);
  const std::vector<nedb::RedisReply> batch = r2.execute_batch(first);
  for (std::size_t i = 0; i < first.size(); ++i) {
    const nedb::RedisReply one = r3.execute(first[i]);
    // Replies that depend on the clock or the session id may differ.
    if (one.type() != batch[i].type()) __builtin_trap();
  }
  return 0;
}

// Copyright (c) NEDB authors.
// SPDX-License-Identifier: Apache-2.0
//
// The Redis command layer: Redis commands mapped to NEDB documents, and the
// RESP2 wire format (replies and an incremental request parser). nedbd's
// RESP2 server (server/resp/) is this layer behind a socket; embedded use
// needs no server:
//
//   nedb::NEDB db;
//   nedb::RedisCompat r(db);
//   nedb::RedisReply x = r.execute({"SET", "k", "hello"});   // +OK
//   r.execute({"HSET", "user:1", "name", "Ada"});            // :1
//   db.query(R"(FROM user WHERE name = "Ada")");             // the hash, _id "1"
//
// Key mapping, value encoding and every difference from Redis: docs/RESP.md.
//
// Thread safety: a RedisCompat is one client's session (selected database,
// MULTI queue, authentication): use one per connection, from one thread at a
// time. Any number of sessions may share a database; every write command
// runs inside NEDB::atomic(), so read-modify-write commands (INCR, HSET, ...)
// are atomic with respect to every other writer.
#ifndef NEDB_REDIS_COMPAT_H_
#define NEDB_REDIS_COMPAT_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "nedb/nedb.h"

namespace nedb {

// One RESP2 reply: simple string, error, integer, bulk string (binary-safe),
// nil bulk string, array (elements may be any reply) or nil array.
class RedisReply {
 public:
  enum class Type { kSimple, kError, kInteger, kBulk, kNil, kArray, kNilArray };

  RedisReply() : type_(Type::kNil) {}
  static RedisReply Simple(std::string s) { return RedisReply(Type::kSimple, std::move(s)); }
  static RedisReply Ok() { return Simple("OK"); }
  // text is the whole error line without the leading '-', e.g.
  // "ERR syntax error" or "WRONGTYPE Operation against ...".
  static RedisReply Error(std::string text) { return RedisReply(Type::kError, std::move(text)); }
  static RedisReply Integer(std::int64_t n) {
    RedisReply r(Type::kInteger, {});
    r.int_ = n;
    return r;
  }
  static RedisReply Bulk(std::string s) { return RedisReply(Type::kBulk, std::move(s)); }
  static RedisReply Nil() { return RedisReply(); }
  static RedisReply Array(std::vector<RedisReply> elements) {
    RedisReply r(Type::kArray, {});
    r.elements_ = std::move(elements);
    return r;
  }
  static RedisReply NilArray() { return RedisReply(Type::kNilArray, {}); }

  Type type() const { return type_; }
  bool is_error() const { return type_ == Type::kError; }
  bool is_nil() const { return type_ == Type::kNil || type_ == Type::kNilArray; }
  // The text of a simple string, error or bulk string.
  const std::string& str() const { return str_; }
  std::int64_t integer() const { return int_; }
  const std::vector<RedisReply>& elements() const { return elements_; }
  std::vector<RedisReply>& elements() { return elements_; }

  // The RESP2 encoding: "+OK\r\n", "$5\r\nhello\r\n", "$-1\r\n", "*-1\r\n", ...
  std::string ToResp() const;
  void AppendResp(std::string* out) const;
  // A readable rendering in redis-cli's style, for tests and logs.
  std::string ToString() const;

  friend bool operator==(const RedisReply& a, const RedisReply& b) {
    return a.type_ == b.type_ && a.str_ == b.str_ && a.int_ == b.int_ && a.elements_ == b.elements_;
  }

 private:
  RedisReply(Type t, std::string s) : type_(t), str_(std::move(s)) {}
  Type type_;
  std::string str_;
  std::int64_t int_ = 0;
  std::vector<RedisReply> elements_;
};

// An incremental parser of RESP2 requests: multi-bulk frames
// ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n") and inline commands ("GET k\r\n", with
// Redis's quoting rules). Feed it bytes as they arrive, in any split, and
// take complete commands with Next(). A malformed frame is an error from
// which the connection does not recover (Redis closes it).
class RespParser {
 public:
  // Redis's limits for request framing.
  // A bulk string (argument) can be no larger than the document holding it.
  static constexpr std::size_t kDefaultMaxBulk = kMaxDocumentBytes;  // 16 MiB per argument
  static constexpr std::int64_t kMaxMultibulk = 1024 * 1024;         // arguments per command
  static constexpr std::size_t kMaxInline = 64u << 10;               // inline line, header lines

  explicit RespParser(std::size_t max_bulk = kDefaultMaxBulk) : max_bulk_(max_bulk) {}

  enum class Status { kCommand, kNeedMore, kError };

  // Appends received bytes.
  void Feed(std::string_view data) { buf_.append(data.data(), data.size()); }
  // Parses the next complete command into *argv (replacing its contents):
  // kCommand, kNeedMore (feed more bytes), or kError (see error()). Empty
  // inline lines and empty multi-bulk frames are skipped.
  Status Next(std::vector<std::string>* argv);
  // After kError: the message, e.g. "Protocol error: invalid bulk length",
  // sent to the client as "-ERR " + error().
  const std::string& error() const { return error_; }
  // Bytes received but not yet consumed by a complete command.
  std::size_t buffered() const { return buf_.size() - pos_; }
  // Memory held for requests still arriving: the input buffer's allocation
  // (with the room reserved for a bulk string whose length was announced)
  // and the arguments of an unfinished command copied out so far. A buffer
  // left empty by complete commands is freed when over kMaxInline.
  std::size_t memory() const { return buf_.capacity() + pending_bytes_; }

 private:
  Status Fail(std::string msg);
  Status ParseInline(std::vector<std::string>* argv);
  // Finds "\r\n" from pos_; npos if absent.
  std::size_t FindCrlf() const;

  std::size_t max_bulk_;
  std::string buf_;
  std::size_t pos_ = 0;
  // State of a multi-bulk frame in progress (resumed by the next call).
  std::int64_t multibulk_left_ = 0;  // arguments still to read; 0: none in progress
  std::int64_t bulk_len_ = -1;       // length of the bulk being read; -1: header next
  std::vector<std::string> pending_;
  std::size_t pending_bytes_ = 0;  // sum of pending_'s sizes
  std::string error_;
};

// Options of a session.
struct RedisOptions {
  // The name of the database the session starts on; what SELECT 0 selects.
  std::string database = "0";
  // SELECT <name>: the database to switch to. nullptr (embedded): SELECT of
  // any database but the current one fails. May throw nedb::Error (its
  // message becomes the error reply).
  std::function<std::shared_ptr<NEDB>(const std::string& name)> open_database;
  // FLUSHALL: the names of every database it empties, each opened with
  // open_database (the selected database always). nullptr (embedded):
  // FLUSHALL empties the selected database only.
  std::function<std::vector<std::string>()> database_names;
  // Non-empty: every command but AUTH, HELLO and QUIT answers
  // "-NOAUTH Authentication required." until AUTH <token> succeeds.
  std::string token;
  // CLIENT ID / CLIENT INFO.
  std::int64_t client_id = 0;
  std::string peer = "embedded";   // CLIENT INFO addr
  std::string local = "embedded";  // CLIENT INFO laddr
  // How write commands end under Sync::Always. kDefer: a write's reply is
  // returned before its fsync; the caller must flush() every database
  // take_unsynced() names before it sends the replies (nedbd: one fsync
  // for every client served in an event-loop pass, like Redis's
  // appendfsync always).
  AtomicSync atomic_sync = AtomicSync::kWait;
};

// One client session over the Redis command layer.
class RedisCompat {
 public:
  // Embedded: commands run on db, which must outlive this object.
  explicit RedisCompat(NEDB& db, RedisOptions options = {});
  // Shared ownership (the server's sessions).
  explicit RedisCompat(std::shared_ptr<NEDB> db, RedisOptions options = {});
  ~RedisCompat();

  RedisCompat(const RedisCompat&) = delete;
  RedisCompat& operator=(const RedisCompat&) = delete;

  // Runs one command (argv[0] is its name, any case; arguments binary-safe)
  // and returns Redis's reply. Never throws for bad input: engine errors
  // become "-ERR ..." replies.
  RedisReply execute(const std::vector<std::string>& argv);

  // Runs commands as a group: the write commands among them run inside one
  // NEDB::atomic() call (consecutive ops, one fsync), replies in order. Used
  // by the server for the commands of one read; same replies as calling
  // execute() for each.
  std::vector<RedisReply> execute_batch(const std::vector<std::vector<std::string>>& commands);

  // True if command `name` (any case) may write: servers run batches with
  // writes where blocking on an fsync is fine.
  static bool IsWriteCommand(std::string_view name);
  // True for QUIT (any case): nothing after it on a connection runs.
  static bool IsQuit(std::string_view name);

  // With RedisOptions::atomic_sync = kDefer: the databases written since
  // the last call, each once (their writes are not yet durable).
  std::vector<std::shared_ptr<NEDB>> take_unsynced();

  // True once QUIT was executed: the server closes the connection after
  // sending the reply.
  bool quit() const;
  // The name of the selected database.
  const std::string& database() const;

  class Session;

 private:
  std::unique_ptr<Session> s_;
};

}  // namespace nedb

#endif  // NEDB_REDIS_COMPAT_H_

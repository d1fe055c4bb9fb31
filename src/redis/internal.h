// SPDX-License-Identifier: Apache-2.0
// Internals of the Redis command layer (include/nedb/redis_compat.h): the
// command table, the per-command context, and the typed view of keys over
// NEDB documents (docs/RESP.md, "Key mapping").
#ifndef NEDB_REDIS_INTERNAL_H_
#define NEDB_REDIS_INTERNAL_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "nedb/nedb.h"
#include "nedb/redis_compat.h"
#include "redis/keymap.h"

namespace nedb::redis {

using Argv = std::vector<std::string>;

// Thrown by command code for an error reply; text without the leading '-'.
struct ReplyError {
  std::string text;
};

inline constexpr const char* kWrongType =
    "WRONGTYPE Operation against a key holding the wrong kind of value";
inline constexpr const char* kNotInteger = "ERR value is not an integer or out of range";
inline constexpr const char* kSyntaxError = "ERR syntax error";
inline constexpr const char* kOverflow = "ERR increment or decrement would overflow";

[[noreturn]] inline void Fail(std::string text) { throw ReplyError{std::move(text)}; }

// Parses a whole decimal int64 the way Redis does (string2ll): no spaces,
// no '+', no leading zeros; throws kNotInteger (or `error`).
std::int64_t ParseInt(std::string_view s, const char* error = kNotInteger);
// Redis's string2ll acceptance without throwing.
bool ToInt64(std::string_view s, std::int64_t* out);
// Case-insensitive ASCII comparison.
bool IEquals(std::string_view a, std::string_view b);
std::string Lower(std::string_view s);
// Redis's glob matching (stringmatchlen): * ? [a-z] [^x] and \ escapes.
bool GlobMatch(std::string_view pattern, std::string_view s, bool nocase = false);

// A subcommand of a container command (CLIENT, CONFIG, COMMAND): checked
// before the command runs or is queued, as Redis checks them.
struct SubcommandSpec {
  const char* name;  // lower case
  int arity;         // counts the container's name too
};
// The subcommands of container command `name` (lower case); nullptr if it
// has none.
const std::vector<SubcommandSpec>* Subcommands(std::string_view name);

// What a command handler works with.
struct Ctx {
  NEDB& db;
  RedisCompat::Session& session;
};

using Handler = RedisReply (*)(Ctx&, const Argv&);

enum CommandFlags : std::uint32_t {
  kWrite = 1,     // modifies data: runs inside NEDB::atomic()
  kReadOnly = 2,  // reads data
  kNoAuth = 4,    // allowed before AUTH
  kNoQueue = 8,   // runs at once even inside MULTI (EXEC, DISCARD, MULTI, QUIT, ...)
  kSession = 16,  // touches only session state (PING, SELECT, CLIENT, ...)
  // Writes every database (FLUSHALL): runs outside any atomic(), taking
  // each database's in turn; a transaction holding it runs command by command.
  kAllDatabases = 32,
};

struct CommandSpec {
  const char* name;  // lower case
  int arity;         // Redis arity: n = exactly n arguments (name included); -n = at least n
  std::uint32_t flags;
  Handler fn;
  const char* group;  // COMMAND DOCS
  const char* summary;
  int first_key, last_key, step;  // COMMAND key positions
};

// Every command, and lookup by (any case) name.
const std::vector<CommandSpec>& Commands();
const CommandSpec* FindCommand(std::string_view name);

// Each group registers its commands (commands_*.cc).
void AddStringCommands(std::vector<CommandSpec>* out);
void AddKeyCommands(std::vector<CommandSpec>* out);
void AddHashCommands(std::vector<CommandSpec>* out);
void AddSetCommands(std::vector<CommandSpec>* out);
void AddListCommands(std::vector<CommandSpec>* out);
void AddServerCommands(std::vector<CommandSpec>* out);
void AddScanCommands(std::vector<CommandSpec>* out);
void AddStringRangeCommands(std::vector<CommandSpec>* out);

// ---- the typed view of a key ----

enum class KeyType { kNone, kString, kHash, kSet, kList };
const char* TypeName(KeyType t);  // "none", "string", "hash", "set", "list"

// The document a key lives in, at HEAD (expired documents are gone).
struct Entry {
  DocRef ref;
  std::optional<nlohmann::json> doc;
  KeyType type = KeyType::kNone;
  bool exists() const { return doc.has_value(); }
};

// Reads key's document. Throws ReplyError for a key NEDB cannot hold.
Entry Load(NEDB& db, std::string_view key);
// Load, then WRONGTYPE unless the key is missing or of type `want`.
Entry LoadAs(NEDB& db, std::string_view key, KeyType want);
// Writes e.doc (with "_rtype" set for `type`), keeping its "_expires_at".
void Store(NEDB& db, Entry& e, KeyType type);
// Deletes the key (a list's elements too). False if it did not exist.
bool DeleteKey(NEDB& db, const Entry& e);
// Deletes every document of the database (FLUSHDB: every document is a key).
void FlushDatabase(NEDB& db);

// ---- string keys over document text (string_text.cc): no JSON trees ----

struct TextEntry {
  DocRef ref;
  std::optional<std::string> text;  // the document's canonical JSON text
  KeyType type = KeyType::kNone;
  bool exists() const { return text.has_value(); }
};
KeyType TypeOfText(std::string_view text);
TextEntry LoadText(NEDB& db, std::string_view key);
// LoadText, then WRONGTYPE unless the key is missing or of type `want`.
TextEntry LoadTextAs(NEDB& db, std::string_view key, KeyType want);
// The tree view of the same key (for the rare paths: lists, DeleteKey).
Entry ToEntry(const TextEntry& e);
// The value of a string document.
std::string StringValueOf(std::string_view text);
// Replaces e's key with a string holding value, expiring at expires_at_ms
// (ms since the epoch), or keeping the old document's expiry if keep_ttl; a
// list's elements are deleted first. The document is the one the tree path
// would write.
void PutString(NEDB& db, const TextEntry& e, std::string_view value,
               std::optional<std::int64_t> expires_at_ms, bool keep_ttl);

// Appends the canonical text of EncodeValue(v) (no tree).
void AppendEncoded(std::string_view v, std::string* out);

// Values (string values, hash values, set members, list elements) as JSON:
// a canonical int64 ("42", "-7") as a JSON integer, other valid UTF-8 as a
// string, anything else as {"base64": "..."}.
nlohmann::json EncodeValue(std::string_view v);
// The bytes of an encoded value; other JSON (documents written by other
// front ends) as its JSON text.
std::string DecodeValue(const nlohmann::json& v);
// Standard base64 with padding; url: base64url without padding (ids).
std::string Base64Encode(std::string_view in, bool url = false);
bool Base64Decode(std::string_view in, std::string* out, bool url = false);

// Hash fields of a document: every top-level field but "_id", "_rtype" and
// "_expires_at", plus the encoded ones under "_fields".
std::vector<std::pair<std::string, std::string>> HashFields(const nlohmann::json& doc);
std::optional<std::string> HashGet(const nlohmann::json& doc, std::string_view field);
// Sets field (true if it was new) / deletes it (true if it existed).
bool HashSet(nlohmann::json& doc, std::string_view field, std::string_view value);
bool HashDel(nlohmann::json& doc, std::string_view field);

// Set members (decoded, sorted by bytes).
std::vector<std::string> SetMembers(const nlohmann::json& doc);
void SetSetMembers(nlohmann::json& doc, const std::vector<std::string>& members);

// Lists: the header document holds {"list": uid, "head": h, "len": n};
// element i is document kListItems/"<uid>.<h+i>" {"list", "pos", "value"}.
struct ListHeader {
  std::int64_t uid = 0, head = 0, len = 0;
};
ListHeader GetListHeader(const nlohmann::json& doc);
void SetListHeader(nlohmann::json& doc, const ListHeader& h);
// The same over document text: the header of a stored list document, and
// writes e's key as a list with header h, keeping e's other members (its
// "_expires_at") -- the document Store() would write.
ListHeader ListHeaderOfText(std::string_view text);
void PutListHeader(NEDB& db, const TextEntry& e, const ListHeader& h);
std::string ListItemId(std::int64_t uid, std::int64_t pos);
std::string ListGet(NEDB& db, const ListHeader& h, std::int64_t index);
void ListPut(NEDB& db, const ListHeader& h, std::int64_t index, std::string_view v);
void ListRemoveItem(NEDB& db, const ListHeader& h, std::int64_t index);
// A new list's uid: unique for the life of the database (REQUIRES: inside atomic()).
std::int64_t NewListUid(NEDB& db);

// Enumerates every key of the database: fn(key, document).
void ForEachKey(NEDB& db, const std::function<void(const std::string&, const nlohmann::json&)>& fn);
// Collections that hold keys (kListItems excluded).
std::vector<std::string> KeyCollections(NEDB& db);

// ---- expiry (expiry.cc): whole milliseconds since the Unix epoch ----

// Now, on the engine's TTL clock.
std::int64_t NowMillis();
// A key document's expiry time; nullopt without a TTL.
std::optional<std::int64_t> ExpiresAtMs(const nlohmann::json& doc);
std::optional<std::int64_t> ExpiresAtMsOfText(std::string_view text);
// Sets / removes (true if there was one) a tree document's expiry.
void SetExpiresAtMs(nlohmann::json& doc, std::int64_t ms);
bool ClearExpiry(nlohmann::json& doc);
// The expiry members of canonical document text, each followed by ',':
// for time ms / kept from the stored document text.
void AppendExpiryMembers(std::int64_t ms, std::string* out);
void AppendKeptExpiryMembers(std::string_view text, std::string* out);
// Redis's getExpireMillisecondsOrReply: the absolute expiry for argument
// arg of SET EX|PX|EXAT|PXAT, SETEX, PSETEX, GETEX (in seconds or ms,
// relative to now or not); "ERR invalid expire time in '<cmd>' command"
// unless it is positive and the sum does not overflow.
std::int64_t ExpireArgMs(std::string_view arg, bool seconds, bool relative, const char* cmd);

}  // namespace nedb::redis

#endif  // NEDB_REDIS_INTERNAL_H_

// SPDX-License-Identifier: Apache-2.0
// String keys over document text (no JSON trees): what GET, SET, INCR and
// the other string commands read and write. The documents are the same as
// the tree path writes: {"_expires_at"?, "_expires_at_ms"?, "_id", "_rtype": "string",
// "value"}.
#include "db/validate.h"
#include "log/op_codec.h"
#include "redis/internal.h"
#include "util/json_parse.h"
#include "util/json_text.h"

namespace nedb::redis {

namespace {

// The bytes of an encoded value's raw JSON text (DecodeValue without a tree:
// canonical numbers and other JSON are their own text).
std::string DecodeRaw(std::string_view raw) {
  std::string out;
  if (raw.empty()) return out;
  if (raw[0] == '"') {
    if (UnescapeJsonString(raw.substr(1, raw.size() - 2), &out)) return out;
    return std::string(raw);
  }
  if (raw[0] == '{') {
    const ValueView b64 = LookupMember(raw, "base64");
    constexpr std::string_view kPrefix = "{\"base64\":";
    if (b64.rank == Rank::kString && raw.size() == kPrefix.size() + b64.raw.size() + 1 &&
        raw.substr(0, kPrefix.size()) == kPrefix) {
      std::string text;
      if (UnescapeJsonString(b64.raw.substr(1, b64.raw.size() - 2), &text) &&
          Base64Decode(text, &out)) {
        return out;
      }
    }
  }
  return std::string(raw);
}

}  // namespace

// The canonical text of EncodeValue(v).
void AppendEncoded(std::string_view v, std::string* out) {
  std::int64_t n;
  if (ToInt64(v, &n)) {
    out->append(std::to_string(n));  // what dump() writes for the JSON integer
  } else if (IsValidUtf8(v)) {
    AppendJsonString(v, out);
  } else {
    out->append("{\"base64\":\"").append(Base64Encode(v)).append("\"}");
  }
}

KeyType TypeOfText(std::string_view text) {
  const ValueView t = LookupMember(text, "_rtype");
  if (t.rank != Rank::kString) return KeyType::kHash;  // written by another front end
  if (t.raw == "\"string\"") return KeyType::kString;
  if (t.raw == "\"set\"") return KeyType::kSet;
  if (t.raw == "\"list\"") return KeyType::kList;
  return KeyType::kHash;
}

TextEntry LoadText(NEDB& db, std::string_view key) {
  std::optional<DocRef> ref = MapKey(key);
  if (!ref) Fail("ERR key is too long for NEDB (at most 1024 bytes of UTF-8, see docs/RESP.md)");
  TextEntry e;
  e.ref = std::move(*ref);
  e.text = db.get_text(e.ref.coll, e.ref.id);
  if (e.text) e.type = TypeOfText(*e.text);
  return e;
}

TextEntry LoadTextAs(NEDB& db, std::string_view key, KeyType want) {
  TextEntry e = LoadText(db, key);
  if (e.exists() && e.type != want) Fail(kWrongType);
  return e;
}

Entry ToEntry(const TextEntry& e) {
  Entry out;
  out.ref = e.ref;
  out.type = e.type;
  if (e.text) out.doc = ParseJsonText(*e.text);
  return out;
}

std::string StringValueOf(std::string_view text) {
  const ValueView v = LookupMember(text, "value");
  return v.rank == Rank::kMissing ? std::string() : DecodeRaw(v.raw);
}

void PutString(NEDB& db, const TextEntry& e, std::string_view value,
               std::optional<std::int64_t> expires_at_ms, bool keep_ttl) {
  std::string doc = "{";
  if (expires_at_ms) {
    AppendExpiryMembers(*expires_at_ms, &doc);
  } else if (keep_ttl && e.exists()) {
    AppendKeptExpiryMembers(*e.text, &doc);
  }
  if (e.exists() && e.type == KeyType::kList) {  // its elements go with it
    const ListHeader h = GetListHeader(ParseJsonText(*e.text));
    for (std::int64_t i = 0; i < h.len; ++i) ListRemoveItem(db, h, i);
  }
  doc.append("\"_id\":");
  AppendJsonString(e.ref.id, &doc);
  doc.append(",\"_rtype\":\"string\",\"value\":");
  AppendEncoded(value, &doc);
  doc.push_back('}');
  db.put_text(e.ref.coll, e.ref.id, doc);
}

}  // namespace nedb::redis

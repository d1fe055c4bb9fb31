// SPDX-License-Identifier: Apache-2.0
// The typed view of Redis keys over NEDB documents (docs/RESP.md).
#include <algorithm>
#include <charconv>

#include "db/validate.h"
#include "log/op_codec.h"
#include "redis/internal.h"
#include "util/json_text.h"

namespace nedb::redis {

namespace {

constexpr const char* kTypeField = "_rtype";
constexpr const char* kEncodedFields = "_fields";

// A hash field stored as a top-level document field: UTF-8, not starting
// with '_' (the engine's and this layer's fields all do).
bool PlainField(std::string_view f) { return !f.empty() && f[0] != '_' && IsValidUtf8(f); }

std::int64_t IntField(const nlohmann::json& doc, const char* name) {
  auto it = doc.find(name);
  return it != doc.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

}  // namespace

// The tree view is the text view parsed (string_text.cc reads the key).
Entry Load(NEDB& db, std::string_view key) { return ToEntry(LoadText(db, key)); }

Entry LoadAs(NEDB& db, std::string_view key, KeyType want) {
  return ToEntry(LoadTextAs(db, key, want));
}

void Store(NEDB& db, Entry& e, KeyType type) {
  if (!e.doc) e.doc = nlohmann::json::object();
  (*e.doc)[kTypeField] = TypeName(type);
  e.type = type;
  db.put(e.ref.coll, e.ref.id, *e.doc);
}

bool DeleteKey(NEDB& db, const Entry& e) {
  if (!e.exists()) return false;
  if (e.type == KeyType::kList) {
    const ListHeader h = GetListHeader(*e.doc);
    for (std::int64_t i = 0; i < h.len; ++i) ListRemoveItem(db, h, i);
  }
  return db.remove(e.ref.coll, e.ref.id);
}

// ---- hashes ----

std::vector<std::pair<std::string, std::string>> HashFields(const nlohmann::json& doc) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (PlainField(it.key())) out.emplace_back(it.key(), DecodeValue(it.value()));
  }
  auto enc = doc.find(kEncodedFields);
  if (enc != doc.end() && enc->is_object()) {
    std::string name;
    for (auto it = enc->begin(); it != enc->end(); ++it) {
      if (Base64Decode(it.key(), &name)) out.emplace_back(name, DecodeValue(it.value()));
    }
  }
  return out;
}

std::optional<std::string> HashGet(const nlohmann::json& doc, std::string_view field) {
  if (PlainField(field)) {
    auto it = doc.find(field);
    if (it == doc.end()) return std::nullopt;
    return DecodeValue(*it);
  }
  auto enc = doc.find(kEncodedFields);
  if (enc == doc.end() || !enc->is_object()) return std::nullopt;
  auto it = enc->find(Base64Encode(field));
  if (it == enc->end()) return std::nullopt;
  return DecodeValue(*it);
}

bool HashSet(nlohmann::json& doc, std::string_view field, std::string_view value) {
  if (PlainField(field)) {
    const std::string f(field);
    const bool fresh = !doc.contains(f);
    doc[f] = EncodeValue(value);
    return fresh;
  }
  nlohmann::json& enc = doc[kEncodedFields];
  if (!enc.is_object()) enc = nlohmann::json::object();
  const std::string k = Base64Encode(field);
  const bool fresh = !enc.contains(k);
  enc[k] = EncodeValue(value);
  return fresh;
}

bool HashDel(nlohmann::json& doc, std::string_view field) {
  if (PlainField(field)) return doc.erase(std::string(field)) > 0;
  auto enc = doc.find(kEncodedFields);
  if (enc == doc.end() || !enc->is_object()) return false;
  const bool gone = enc->erase(Base64Encode(field)) > 0;
  if (enc->empty()) doc.erase(kEncodedFields);
  return gone;
}

// ---- sets ----

std::vector<std::string> SetMembers(const nlohmann::json& doc) {
  std::vector<std::string> out;
  auto it = doc.find("members");
  if (it == doc.end() || !it->is_array()) return out;
  out.reserve(it->size());
  for (const auto& m : *it) out.push_back(DecodeValue(m));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void SetSetMembers(nlohmann::json& doc, const std::vector<std::string>& members) {
  nlohmann::json arr = nlohmann::json::array();
  for (const std::string& m : members) arr.push_back(EncodeValue(m));
  doc["members"] = std::move(arr);
}

// ---- lists ----

ListHeader GetListHeader(const nlohmann::json& doc) {
  return ListHeader{IntField(doc, "list"), IntField(doc, "head"), IntField(doc, "len")};
}

void SetListHeader(nlohmann::json& doc, const ListHeader& h) {
  doc["list"] = h.uid;
  doc["head"] = h.head;
  doc["len"] = h.len;
}

std::string ListItemId(std::int64_t uid, std::int64_t pos) {
  return std::to_string(uid) + "." + std::to_string(pos);
}

std::string ListGet(NEDB& db, const ListHeader& h, std::int64_t index) {
  std::optional<nlohmann::json> d = db.get(kListItems, ListItemId(h.uid, h.head + index));
  if (!d) return std::string();
  auto it = d->find("value");
  return it == d->end() ? std::string() : DecodeValue(*it);
}

ListHeader ListHeaderOfText(std::string_view text) {
  auto field = [text](std::string_view name) -> std::int64_t {
    const ValueView v = LookupMember(text, name);
    std::int64_t n = 0;
    if (v.rank != Rank::kNumber) return 0;
    const auto [end, ec] = std::from_chars(v.raw.data(), v.raw.data() + v.raw.size(), n);
    // An integer, as IntField takes it (a double like 1.5 or 1e3 is not).
    return ec == std::errc() && end == v.raw.data() + v.raw.size() ? n : 0;
  };
  return ListHeader{field("list"), field("head"), field("len")};
}

void PutListHeader(NEDB& db, const TextEntry& e, const ListHeader& h) {
  std::string base;
  if (e.exists()) {
    base = *e.text;
  } else {
    base = "{\"_id\":";
    AppendJsonString(e.ref.id, &base);
    base.push_back('}');
  }
  const std::string head = std::to_string(h.head), len = std::to_string(h.len),
                    uid = std::to_string(h.uid);
  db.put_text(
      e.ref.coll, e.ref.id,
      WithMembers(base, {{"_rtype", "\"list\""}, {"head", head}, {"len", len}, {"list", uid}}));
}

void ListPut(NEDB& db, const ListHeader& h, std::int64_t index, std::string_view v) {
  // {"_id", "list", "pos", "value"}: the document put() of the tree would write.
  const std::string id = ListItemId(h.uid, h.head + index);
  std::string doc = "{\"_id\":";
  AppendJsonString(id, &doc);
  doc.append(",\"list\":").append(std::to_string(h.uid));
  doc.append(",\"pos\":").append(std::to_string(h.head + index));
  doc.append(",\"value\":");
  AppendEncoded(v, &doc);
  doc.push_back('}');
  db.put_text(kListItems, id, doc);
}

void ListRemoveItem(NEDB& db, const ListHeader& h, std::int64_t index) {
  db.remove(kListItems, ListItemId(h.uid, h.head + index));
}

std::int64_t NewListUid(NEDB& db) { return static_cast<std::int64_t>(db.seq()) + 1; }

// ---- enumeration ----

std::vector<std::string> KeyCollections(NEDB& db) {
  std::vector<std::string> out;
  for (const auto& [coll, n] : db.stats().collections) {
    if (n > 0 && coll != kListItems) out.push_back(coll);
  }
  return out;
}

void ForEachKey(NEDB& db,
                const std::function<void(const std::string&, const nlohmann::json&)>& fn) {
  for (const std::string& coll : KeyCollections(db)) {
    for (const nlohmann::json& doc : db.q(coll).run()) {  // any collection name
      auto id = doc.find("_id");
      if (id == doc.end() || !id->is_string()) continue;
      if (std::optional<std::string> key = UnmapKey(coll, id->get_ref<const std::string&>())) {
        fn(*key, doc);
      }
    }
  }
}

void FlushDatabase(NEDB& db) {
  for (const auto& [coll, count] : db.stats().collections) {
    for (const nlohmann::json& doc : db.q(coll).run()) {  // any collection name
      auto id = doc.find("_id");
      if (id != doc.end() && id->is_string()) db.remove(coll, id->get_ref<const std::string&>());
    }
  }
}

}  // namespace nedb::redis

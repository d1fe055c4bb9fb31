#include "checkpoint/snapshot.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "log/op_codec.h"
#include "nedb/errors.h"
#include "util/json_text.h"

namespace nedb {

namespace {

void AppendUint(std::uint64_t v, std::string* out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr);
}

[[noreturn]] void Bad(const std::string& why) { throw Error("snapshot.json is invalid: " + why); }

// A cursor over one line of the snapshot.
struct Cursor {
  std::string_view s;
  std::size_t pos = 0;
  std::string scratch;

  void Expect(std::string_view lit) {
    if (s.substr(pos, lit.size()) != lit) Bad("expected " + std::string(lit));
    pos += lit.size();
  }
  // A JSON string; views the line unless it has escapes.
  std::string_view String(std::string* slot) {
    Expect("\"");
    const std::size_t start = pos;
    bool escaped = false;
    while (pos < s.size() && s[pos] != '"') {
      if (s[pos] == '\\') {
        escaped = true;
        ++pos;
      }
      ++pos;
    }
    if (pos >= s.size()) Bad("unterminated string");
    std::string_view raw = s.substr(start, pos - start);
    ++pos;
    if (!escaped) return raw;
    slot->clear();
    if (!UnescapeJsonString(raw, slot)) Bad("bad escape");
    return *slot;
  }
  std::uint64_t Uint() {
    std::uint64_t v = 0;
    auto r = std::from_chars(s.data() + pos, s.data() + s.size(), v);
    if (r.ec != std::errc()) Bad("expected a number");
    pos = static_cast<std::size_t>(r.ptr - s.data());
    return v;
  }
};

}  // namespace

std::string SnapshotCodec::Serialize(const State& st, const SnapshotHeader& h) {
  std::string out;
  nlohmann::json header = {{"format", "nedb-snapshot"},
                           {"version", kSnapshotVersion},
                           {"seq", h.seq},
                           {"head", h.head},
                           {"checkpoint_seq", h.checkpoint_seq},
                           {"checkpoint_offset", h.checkpoint_offset},
                           {"counts", st.counts_},
                           {"has_genesis", st.has_genesis_}};
  header["indexes"] = nlohmann::json::array();
  for (const IndexSpec& s : h.indexes) header["indexes"].push_back({s.coll, s.field, s.kind});
  out += header.dump();
  out += '\n';
  std::uint64_t lines = 1;
  // Documents: every entry in natural order, with its version visible now.
  std::vector<std::string_view> names;
  for (const auto& [name, c] : st.docs_.colls_) names.push_back(name);
  std::sort(names.begin(), names.end());
  for (std::string_view name : names) {
    const Collection* c = st.docs_.collection(name);
    for (const auto& e : c->entries()) {
      if (e.chain.empty()) continue;
      const Version& v = e.chain.back();
      out += v.blob ? "[\"d\"," : "[\"x\",";
      AppendJsonString(name, &out);
      out += ',';
      AppendJsonString(e.id, &out);
      out += ',';
      AppendUint(v.seq, &out);
      if (v.blob) {
        out += ',';
        out += v.blob->view();
      }
      out += "]\n";
      ++lines;
    }
  }
  // Edges: every interval, so neighbors() AS OF any seq needs no replay.
  for (const auto& [key, spans] : st.graph_.out_) {
    const std::size_t nul = key.find('\0');
    for (const Graph::Span& sp : spans) {
      out += "[\"e\",";
      AppendJsonString(std::string_view(key).substr(0, nul), &out);
      out += ',';
      AppendJsonString(std::string_view(key).substr(nul + 1), &out);
      out += ',';
      AppendJsonString(sp.other, &out);
      out += ',';
      AppendUint(sp.added, &out);
      out += ',';
      if (sp.removed == Graph::kLive) {
        out += "null";
      } else {
        AppendUint(sp.removed, &out);
      }
      out += "]\n";
      ++lines;
    }
  }
  for (const auto& [client, nonce] : st.nonces_) {
    out += "[\"n\",";
    AppendJsonString(client, &out);
    out += ',';
    AppendUint(nonce, &out);
    out += "]\n";
    ++lines;
  }
  for (const auto& [key, r] : st.idem_) {
    out += "[\"i\",";
    AppendJsonString(key, &out);
    out += ',';
    AppendUint(r.seq, &out);
    out += ',';
    AppendJsonString(OpKindName(r.kind), &out);
    out += ',';
    AppendJsonString(r.coll, &out);
    out += ',';
    AppendJsonString(r.id, &out);
    out += "]\n";
    ++lines;
  }
  out += "[\"end\",";
  AppendUint(lines, &out);
  out += "]\n";
  return out;
}

void SnapshotCodec::Load(std::string_view bytes, State* st, SnapshotHeader* h) {
  std::size_t nl = bytes.find('\n');
  if (nl == std::string_view::npos) Bad("no header line");
  nlohmann::json header = nlohmann::json::parse(bytes.substr(0, nl), nullptr, false);
  if (header.is_discarded() || !header.is_object() ||
      header.value("format", "") != "nedb-snapshot") {
    Bad("the header is not a nedb-snapshot header");
  }
  if (header.value("version", 0u) != kSnapshotVersion) Bad("unsupported version");
  try {
    h->seq = header.at("seq").get<std::uint64_t>();
    h->head = header.at("head").get<std::string>();
    h->checkpoint_seq = header.at("checkpoint_seq").get<std::uint64_t>();
    h->checkpoint_offset = header.at("checkpoint_offset").get<std::uint64_t>();
    const auto counts = header.at("counts").get<std::vector<std::uint64_t>>();
    if (counts.size() != std::size(st->counts_)) Bad("counts");
    std::copy(counts.begin(), counts.end(), st->counts_);
    st->has_genesis_ = header.at("has_genesis").get<bool>();
    h->indexes.clear();
    for (const auto& s : header.at("indexes")) h->indexes.push_back({s.at(0), s.at(1), s.at(2)});
  } catch (const nlohmann::json::exception& e) {
    Bad(std::string("header: ") + e.what());
  }
  st->seq_ = h->seq;
  st->head_ = h->head;
  // First pass: documents per collection, to size each collection once.
  {
    StrMap<std::size_t> per_coll;
    std::string slot;
    for (std::size_t i = nl + 1; i < bytes.size();) {
      std::size_t e = bytes.find('\n', i);
      if (e == std::string_view::npos) break;
      if (e - i > 6 && (bytes.substr(i, 5) == "[\"d\"," || bytes.substr(i, 5) == "[\"x\",")) {
        Cursor c{bytes.substr(i, e - i), 5, {}};
        try {
          per_coll[c.String(&slot)]++;
        } catch (const Error&) {
          // malformed: the second pass reports it
        }
      }
      i = e + 1;
    }
    for (const auto& [coll, n] : per_coll) {
      auto it = st->docs_.colls_.emplace(coll, std::make_unique<Collection>()).first;
      it->second->Reserve(n);
    }
  }
  std::uint64_t lines = 1;
  bool ended = false;
  std::size_t at = nl + 1;
  Cursor cur;
  std::string a, b, c, d;
  while (at < bytes.size()) {
    nl = bytes.find('\n', at);
    if (nl == std::string_view::npos) Bad("truncated (last line has no newline)");
    if (ended) Bad("bytes after the end line");
    cur.s = bytes.substr(at, nl - at);
    cur.pos = 0;
    at = nl + 1;
    if (cur.s.size() < 6 || cur.s.back() != ']') Bad("malformed line " + std::to_string(lines));
    const char tag = cur.s[2];
    cur.pos = 5;  // past ["t",
    if (cur.s.substr(0, 5) == "[\"end") {
      cur.pos = 7;
      if (cur.Uint() != lines) Bad("line count does not match (truncated?)");
      ended = true;
      continue;
    }
    ++lines;
    switch (tag) {
      case 'd':
      case 'x': {
        std::string_view coll = cur.String(&a);
        cur.Expect(",");
        std::string_view id = cur.String(&b);
        cur.Expect(",");
        const std::uint64_t seq = cur.Uint();
        auto it = st->docs_.colls_.find(coll);
        if (it == st->docs_.colls_.end()) {
          it = st->docs_.colls_.emplace(std::string(coll), std::make_unique<Collection>()).first;
        }
        Collection& col = *it->second;
        VersionChain& chain = col.chain(col.FindOrAdd(id));
        if (!chain.empty()) Bad("document listed twice");
        if (tag == 'd') {
          cur.Expect(",");
          std::string_view doc = cur.s.substr(cur.pos, cur.s.size() - 1 - cur.pos);
          chain.push_back(Version{seq, BlobPtr(Blob::Make(doc))});
          col.AdjustLive(+1);
        } else {
          chain.push_back(Version{seq, nullptr});
        }
        break;
      }
      case 'e': {
        std::string_view from = cur.String(&a);
        cur.Expect(",");
        std::string_view rel = cur.String(&b);
        cur.Expect(",");
        std::string_view to = cur.String(&c);
        cur.Expect(",");
        const std::uint64_t added = cur.Uint();
        cur.Expect(",");
        std::uint64_t removed = Graph::kLive;
        if (cur.s.substr(cur.pos, 4) != "null") removed = cur.Uint();
        Graph& g = st->graph_;
        g.out_[Graph::Key(from, rel)].push_back(Graph::Span{std::string(to), added, removed});
        g.in_[Graph::Key(to, rel)].push_back(Graph::Span{std::string(from), added, removed});
        if (removed == Graph::kLive) g.live_.insert(Graph::Key(Graph::Key(from, rel), to));
        break;
      }
      case 'n': {
        std::string_view client = cur.String(&a);
        cur.Expect(",");
        st->nonces_[client] = cur.Uint();
        break;
      }
      case 'i': {
        std::string_view key = cur.String(&a);
        cur.Expect(",");
        const std::uint64_t seq = cur.Uint();
        cur.Expect(",");
        OpKind kind;
        if (!ParseOpKind(cur.String(&b), &kind)) Bad("unknown op kind");
        cur.Expect(",");
        std::string coll(cur.String(&c));
        cur.Expect(",");
        std::string id(cur.String(&d));
        st->idem_.try_emplace(key, IdemRecord{seq, kind, std::move(coll), std::move(id)});
        break;
      }
      default: Bad("unknown line kind in line " + std::to_string(lines));
    }
  }
  if (!ended) Bad("truncated (no end line)");
  // Spans were written per key; order each list by link seq, as the live
  // graph keeps them.
  auto by_added = [](const Graph::Span& x, const Graph::Span& y) { return x.added < y.added; };
  for (auto& [k, v] : st->graph_.out_) std::sort(v.begin(), v.end(), by_added);
  for (auto& [k, v] : st->graph_.in_) std::sort(v.begin(), v.end(), by_added);
}

}  // namespace nedb

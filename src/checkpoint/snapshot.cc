// SPDX-License-Identifier: Apache-2.0
#include "checkpoint/snapshot.h"

#include <sodium.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <nlohmann/json.hpp>

#include "log/op_codec.h"
#include "nedb/errors.h"
#include "util/blake2b_x4.h"

namespace nedb {

// Borrowed blobs are the file's little-endian u32 length + bytes.
static_assert(std::endian::native == std::endian::little, "snapshot blobs are little-endian");

namespace {

constexpr std::uint32_t kDeleted = 0xFFFFFFFF;  // doc length of a deleted entry
constexpr std::size_t kGroup = 4;               // chunks a worker takes at once

[[noreturn]] void Bad(const std::string& why) { throw Error("snapshot.json is invalid: " + why); }

void Leaf(const char* data, std::size_t n, std::uint8_t* out) {
  Digest d = Blake2b(std::string_view(data, n));
  std::memcpy(out, d.data(), d.size());
}

// ---- binary body: writing ----

void PutVar(std::uint64_t v, std::string* out) {
  char buf[10];
  int n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  out->append(buf, static_cast<std::size_t>(n));
}

void PutU32(std::uint32_t v, std::string* out) {
  char buf[4];
  std::memcpy(buf, &v, 4);
  out->append(buf, 4);
}

void PutStr(std::string_view s, std::string* out) {
  PutVar(s.size(), out);
  out->append(s);
}

// ---- binary body: reading (every length and count checked) ----

struct Reader {
  const char* begin;
  const char* p;
  const char* end;
  std::size_t offset() const { return static_cast<std::size_t>(p - begin); }
  [[noreturn]] void Fail(const std::string& why) const {
    Bad(why + " at byte " + std::to_string(offset()));
  }
  std::size_t left() const { return static_cast<std::size_t>(end - p); }
  std::uint64_t Var() {
    if (p != end && static_cast<unsigned char>(*p) < 0x80) return static_cast<unsigned char>(*p++);
    std::uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      if (p == end) Fail("truncated (a number runs past the end)");
      const auto b = static_cast<unsigned char>(*p++);
      if (shift == 63 && b > 1) Fail("a number does not fit in 64 bits");
      v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
      if (b < 0x80) return v;
    }
  }
  std::uint32_t U32() {
    if (left() < 4) Fail("truncated (a length runs past the end)");
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    p += 4;
    return v;
  }
  std::string_view Str() {
    const std::uint64_t n = Var();
    if (n > left()) Fail("a string length points past the end");
    std::string_view s(p, static_cast<std::size_t>(n));
    p += n;
    return s;
  }
  // A count of items at least min_bytes long each: no more than fit.
  std::uint64_t Count(std::size_t min_bytes, const char* what) {
    const std::uint64_t n = Var();
    if (n > left() / min_bytes) Fail(std::string("the ") + what + " count is larger than the file");
    return n;
  }
};

std::uint64_t HeaderUint(const nlohmann::json& h, const char* key) {
  return h.at(key).get<std::uint64_t>();
}

}  // namespace

// ---- digest ----

SnapshotHasher::SnapshotHasher(const char* data, std::size_t size)
    : data_(data),
      size_(size),
      chunks_((size + kSnapshotChunk - 1) / kSnapshotChunk),
      leaves_(chunks_ * kDigestBytes) {}

void SnapshotHasher::Filled(std::size_t n) {
  {
    std::lock_guard<std::mutex> l(mu_);
    filled_ = n;
  }
  cv_.notify_all();
}

void SnapshotHasher::Abort() {
  {
    std::lock_guard<std::mutex> l(mu_);
    abort_ = true;
  }
  cv_.notify_all();
}

void SnapshotHasher::Work() {
  for (;;) {
    std::size_t first;
    {
      std::unique_lock<std::mutex> l(mu_);
      if (abort_ || next_ >= chunks_) return;
      first = next_;
      next_ = std::min(chunks_, first + kGroup);
      const std::size_t end = std::min(size_, next_ * kSnapshotChunk);
      cv_.wait(l, [&] { return abort_ || filled_ >= end; });
      if (abort_) return;
    }
    const std::size_t last = std::min(chunks_, first + kGroup);
    if (last - first == kGroup && last * kSnapshotChunk <= size_) {
      const char* in[4];
      std::uint8_t* out[4];
      for (std::size_t i = 0; i < kGroup; ++i) {
        in[i] = data_ + (first + i) * kSnapshotChunk;
        out[i] = leaves_.data() + (first + i) * kDigestBytes;
      }
      if (Blake2bX4(in, kSnapshotChunk, out)) continue;  // else: no AVX2, one at a time
    }
    for (std::size_t i = first; i < last; ++i) {
      const std::size_t off = i * kSnapshotChunk;
      Leaf(data_ + off, std::min(kSnapshotChunk, size_ - off), leaves_.data() + i * kDigestBytes);
    }
  }
}

Digest SnapshotHasher::Root() const {
  return Blake2b(std::string_view(reinterpret_cast<const char*>(leaves_.data()), leaves_.size()));
}

HelperThread::HelperThread(SnapshotHasher* hasher, std::function<void()> body)
    : hasher_(hasher), thread_(std::move(body)) {}

void HelperThread::Join() {
  if (thread_.joinable()) thread_.join();
}

HelperThread::~HelperThread() {
  if (thread_.joinable()) {
    hasher_->Abort();
    thread_.join();
  }
}

Digest SnapshotDigest(std::string_view bytes) {
  SnapshotHasher hasher(bytes.data(), bytes.size());
  hasher.Filled(bytes.size());
  if (bytes.size() >= kSnapshotThreadBytes) {
    HelperThread helper(&hasher, [&hasher] { hasher.Work(); });
    hasher.Work();
    helper.Join();
  } else {
    hasher.Work();
  }
  return hasher.Root();
}

// ---- codec ----

std::string SnapshotCodec::Serialize(const State& st, const SnapshotHeader& h) {
  std::vector<std::string_view> names;
  for (const auto& [name, c] : st.docs_.colls_) names.push_back(name);
  std::sort(names.begin(), names.end());
  // Sizes first, to write the body into one buffer of the right size.
  std::uint64_t docs = 0, edges = 0, reserve = 64;
  for (std::string_view name : names) {
    for (const auto& e : st.docs_.collection(name)->entries()) {
      if (e.chain.empty()) continue;
      ++docs;
      reserve += 20 + e.id.size();
      if (e.chain.back().blob) reserve += e.chain.back().blob->view().size();
    }
  }
  for (const auto& [key, spans] : st.graph_.out_) edges += spans.size();

  nlohmann::json header = {{"format", "nedb-snapshot"},
                           {"version", kSnapshotVersion},
                           {"seq", h.seq},
                           {"head", h.head},
                           {"checkpoint_seq", h.checkpoint_seq},
                           {"counts", st.counts_},
                           {"has_genesis", st.has_genesis_},
                           {"collections", names.size()},
                           {"documents", docs},
                           {"edges", edges},
                           {"nonces", st.nonces_.size()},
                           {"idem", st.idem_.size()}};
  header["indexes"] = nlohmann::json::array();
  for (const IndexSpec& s : h.indexes) header["indexes"].push_back({s.coll, s.field, s.kind});

  std::string body;
  body.reserve(reserve);
  // Documents: per collection, every entry in natural order, with its
  // version visible now.
  for (std::string_view name : names) {
    const Collection* c = st.docs_.collection(name);
    std::uint64_t n = 0;
    for (const auto& e : c->entries()) n += e.chain.empty() ? 0 : 1;
    PutStr(name, &body);
    PutVar(n, &body);
    for (const auto& e : c->entries()) {
      if (e.chain.empty()) continue;
      const Version& v = e.chain.back();
      PutVar(v.seq, &body);
      PutStr(e.id, &body);
      if (v.blob) {
        const std::string_view doc = v.blob->view();
        PutU32(static_cast<std::uint32_t>(doc.size()), &body);
        body.append(doc);
      } else {
        PutU32(kDeleted, &body);
      }
    }
  }
  // Edges: every interval, so neighbors() AS OF any seq needs no replay.
  for (const auto& [key, spans] : st.graph_.out_) {
    const std::size_t nul = key.find('\0');
    for (const Graph::Span& sp : spans) {
      PutStr(std::string_view(key).substr(0, nul), &body);
      PutStr(std::string_view(key).substr(nul + 1), &body);
      PutStr(sp.other, &body);
      PutVar(sp.added, &body);
      PutVar(sp.removed == Graph::kLive ? 0 : sp.removed, &body);
    }
  }
  for (const auto& [client, nonce] : st.nonces_) {
    PutStr(client, &body);
    PutVar(nonce, &body);
  }
  for (const auto& [key, r] : st.idem_) {
    PutStr(key, &body);
    PutVar(r.seq, &body);
    PutStr(OpKindName(r.kind), &body);
    PutStr(r.coll, &body);
    PutStr(r.id, &body);
  }
  header["body_bytes"] = body.size();
  std::string out = header.dump();
  out += '\n';
  out.reserve(out.size() + body.size());
  out += body;
  return out;
}

void SnapshotCodec::Load(std::string_view bytes, State* st, SnapshotHeader* h) {
  Arena arena(bytes.size());
  if (!bytes.empty()) std::memcpy(arena.mutable_data(), bytes.data(), bytes.size());
  Load(std::move(arena), bytes.size(), st, h);
}

void SnapshotCodec::Load(Arena arena, std::size_t size, State* st, SnapshotHeader* h) {
  const char* const data = arena.data();
  st->docs_.AdoptArena(std::move(arena));
  st->expiry_built_ = false;  // documents arrive without Apply: built on first use
  const std::string_view bytes(data, size);
  const std::size_t nl = bytes.find('\n');
  if (nl == std::string_view::npos) Bad("no header line");
  nlohmann::json header = nlohmann::json::parse(bytes.substr(0, nl), nullptr, false);
  if (header.is_discarded() || !header.is_object() ||
      header.value("format", "") != "nedb-snapshot") {
    Bad("the header is not a nedb-snapshot header");
  }
  if (!header.contains("version") || !header["version"].is_number_unsigned() ||
      header["version"].get<std::uint64_t>() != kSnapshotVersion) {
    Bad("unsupported version " + (header.contains("version") ? header["version"].dump() : "none") +
        " (this build reads version " + std::to_string(kSnapshotVersion) + ")");
  }
  std::uint64_t n_colls = 0, n_docs = 0, n_edges = 0, n_nonces = 0, n_idem = 0, body_bytes = 0;
  try {
    h->seq = HeaderUint(header, "seq");
    h->head = header.at("head").get<std::string>();
    h->checkpoint_seq = HeaderUint(header, "checkpoint_seq");
    const auto counts = header.at("counts").get<std::vector<std::uint64_t>>();
    if (counts.size() != std::size(st->counts_)) Bad("counts");
    std::copy(counts.begin(), counts.end(), st->counts_);
    st->has_genesis_ = header.at("has_genesis").get<bool>();
    h->indexes.clear();
    for (const auto& s : header.at("indexes")) h->indexes.push_back({s.at(0), s.at(1), s.at(2)});
    n_colls = HeaderUint(header, "collections");
    n_docs = HeaderUint(header, "documents");
    n_edges = HeaderUint(header, "edges");
    n_nonces = HeaderUint(header, "nonces");
    n_idem = HeaderUint(header, "idem");
    body_bytes = HeaderUint(header, "body_bytes");
  } catch (const nlohmann::json::exception& e) {
    Bad(std::string("header: ") + e.what());
  }
  if (body_bytes != size - nl - 1) {
    Bad("the header says the body has " + std::to_string(body_bytes) + " bytes, the file has " +
        std::to_string(size - nl - 1) + " (truncated?)");
  }
  st->seq_ = h->seq;
  Reader r{data, data + nl + 1, data + size};
  // Each item is at least this many bytes: a check on counts before they
  // size anything.
  auto check_count = [&](std::uint64_t n, std::size_t min_bytes, const char* what) {
    if (n > r.left() / min_bytes) {
      r.Fail(std::string("the header's ") + what + " count is larger than the file");
    }
  };
  check_count(n_colls, 2, "collections");
  check_count(n_docs, 6, "documents");
  std::uint64_t docs_seen = 0;
  for (std::uint64_t ci = 0; ci < n_colls; ++ci) {
    const std::string_view name = r.Str();
    const std::uint64_t n = r.Count(6, "entry");
    auto [it, added] = st->docs_.colls_.try_emplace(name, nullptr);
    if (!added) r.Fail("collection listed twice");
    it->second = std::make_unique<Collection>();
    Collection& col = *it->second;
    col.Reserve(static_cast<std::size_t>(n));
    for (std::uint64_t i = 0; i < n; ++i) {
      const std::uint64_t seq = r.Var();
      const std::string_view id = r.Str();
      const char* const blob = r.p;
      const std::uint32_t len = r.U32();
      BlobPtr b;
      if (len != kDeleted) {
        if (len > r.left()) r.Fail("a document length points past the end");
        r.p += len;
        b = BlobPtr::Borrowed(reinterpret_cast<const Blob*>(blob));
      }
      col.AppendLoaded(id, Version{seq, std::move(b)});
    }
    if (!col.IndexLoaded()) Bad("a document is listed twice in collection " + std::string(name));
    docs_seen += n;
  }
  if (docs_seen != n_docs) Bad("the header's document count does not match the body");
  check_count(n_edges, 5, "edges");
  Graph& g = st->graph_;
  for (std::uint64_t i = 0; i < n_edges; ++i) {
    const std::string_view from = r.Str();
    const std::string_view rel = r.Str();
    const std::string_view to = r.Str();
    const std::uint64_t added = r.Var();
    std::uint64_t removed = r.Var();
    if (removed == 0) removed = Graph::kLive;
    g.out_[Graph::Key(from, rel)].push_back(Graph::Span{std::string(to), added, removed});
    g.in_[Graph::Key(to, rel)].push_back(Graph::Span{std::string(from), added, removed});
    if (removed == Graph::kLive) g.live_.insert(Graph::Key(Graph::Key(from, rel), to));
  }
  check_count(n_nonces, 2, "nonces");
  for (std::uint64_t i = 0; i < n_nonces; ++i) {
    const std::string_view client = r.Str();
    if (!st->nonces_.try_emplace(client, r.Var()).second) r.Fail("nonce listed twice");
  }
  check_count(n_idem, 5, "idem");
  for (std::uint64_t i = 0; i < n_idem; ++i) {
    const std::string_view key = r.Str();
    const std::uint64_t seq = r.Var();
    OpKind kind;
    if (!ParseOpKind(r.Str(), &kind)) r.Fail("unknown op kind");
    std::string coll(r.Str());
    std::string id(r.Str());
    if (!st->idem_.try_emplace(key, IdemRecord{seq, kind, std::move(coll), std::move(id)}).second) {
      r.Fail("idempotency key listed twice");
    }
  }
  if (r.p != r.end) r.Fail("bytes after the last item");
  // Spans were written per key; order each list by link seq, as the live
  // graph keeps them.
  auto by_added = [](const Graph::Span& x, const Graph::Span& y) { return x.added < y.added; };
  for (auto& [k, v] : g.out_) std::sort(v.begin(), v.end(), by_added);
  for (auto& [k, v] : g.in_) std::sort(v.begin(), v.end(), by_added);
}

}  // namespace nedb

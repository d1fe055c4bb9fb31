// SPDX-License-Identifier: Apache-2.0
// nedb::NEDB: argument checks and result shaping over NEDB::Impl.
#include "nedb/nedb.h"

#include <chrono>
#include <cmath>
#include <limits>

#include "db/db_impl.h"
#include "db/validate.h"
#include "log/log_format.h"
#include "query/executor.h"
#include "util/canonical_json.h"
#include "util/json_parse.h"
#include "util/json_text.h"

namespace nedb {

namespace {

// The canonical text of a document: compact, keys sorted (nlohmann::json
// keeps objects sorted). Invalid UTF-8 is the caller's error.
std::string Canonical(const nlohmann::json& doc) {
  try {
    return doc.dump();
  } catch (const nlohmann::json::type_error& e) {
    throw InvalidArgument(std::string("document is not valid UTF-8 JSON: ") + e.what());
  }
}

// Stored documents are canonical JSON: the fast parser (same result as
// nlohmann::json::parse, 2-3x quicker).
nlohmann::json ParseStored(const Blob* b) { return ParseJsonText(b->view()); }

static_assert(logfmt::kMaxDocBytes == kMaxDocumentBytes, "one document size limit");

// The error for a document over kMaxDocumentBytes (nedb.h and the docs quote it).
InvalidArgument DocumentTooLarge(std::size_t bytes) {
  return InvalidArgument("document is " + std::to_string(bytes) +
                         " bytes, over NEDB's document size limit of " +
                         std::to_string(kMaxDocumentBytes) + " bytes (16 MiB)");
}

// A put's idem key that an op of another kind used first is an error.
void RequirePutIdem(const IdemRecord& r, const WriteOptions& options) {
  if (r.kind != OpKind::kPut) {
    throw InvalidArgument("idem key \"" + *options.idem + "\" was used by a " +
                          std::string(OpKindName(r.kind)) + " op at seq " + std::to_string(r.seq));
  }
}

}  // namespace

NEDB::NEDB() : impl_(std::make_unique<Impl>()) {}
NEDB::NEDB(const std::string& path, Options options)
    : impl_(std::make_unique<Impl>(path, std::move(options))) {}
NEDB::~NEDB() = default;

namespace {

// put() up to the write: checks doc, adds "_expires_at" (ttl_s) and "_id"
// to it, and appends the op. put() and put_text(..., {.ttl_s}) share it.
NEDB::Impl::WriteOutcome PutTree(NEDB::Impl& impl, std::string_view coll, std::string_view id,
                                 nlohmann::json& doc, const WriteOptions& options) {
  impl.CheckOpen();
  ValidateCollection(coll);
  ValidateId(id);
  ValidateWriteOptions(options);
  if (!doc.is_object()) {
    throw InvalidArgument(std::string("document must be a JSON object, not ") + doc.type_name());
  }
  if (options.ttl_s) {
    const double ttl = *options.ttl_s;
    if (!std::isfinite(ttl) || ttl <= 0) {
      throw InvalidArgument("ttl_s must be a positive number of seconds, not " +
                            std::to_string(ttl));
    }
    doc["_expires_at"] = impl.NowSeconds() + ttl;
  }
  auto it = doc.find("_id");
  if (it == doc.end()) {
    doc["_id"] = id;
  } else if (!it->is_string() || it->get_ref<const std::string&>() != id) {
    throw InvalidArgument("document \"_id\" " + it->dump() + " differs from the id argument \"" +
                          std::string(id) + "\"");
  }
  const std::string text = Canonical(doc);
  if (text.size() > kMaxDocumentBytes) throw DocumentTooLarge(text.size());
  OpView op;
  op.kind = OpKind::kPut;
  op.coll = coll;
  op.id = id;
  op.doc = text;
  auto out = impl.Write(op, options, [](const State&) { return true; });
  if (out.what == NEDB::Impl::WriteOutcome::kIdemHit) RequirePutIdem(out.idem, options);
  return out;
}

}  // namespace

nlohmann::json NEDB::put(std::string_view coll, std::string_view id, nlohmann::json doc,
                         const WriteOptions& options) {
  const auto out = PutTree(*impl_, coll, id, doc, options);
  if (out.what == Impl::WriteOutcome::kIdemHit) {  // the first write's result
    const IdemRecord& r = out.idem;
    if (r.seq < impl_->base_seq()) {
      return ParseStored(impl_->HistoryAt(r.seq)->Read(r.coll, r.id, r.seq));
    }
    std::shared_lock<std::shared_mutex> sl(impl_->state_mu_);
    return ParseStored(impl_->state_.Read(r.coll, r.id, r.seq));
  }
  return doc;
}

std::uint64_t NEDB::put_text(std::string_view coll, std::string_view id, std::string_view doc_text,
                             const WriteOptions& options) {
  impl_->CheckOpen();
  if (options.ttl_s) {  // _expires_at goes into the document: the tree path
    nlohmann::json doc;
    try {
      doc = ParseJsonText(doc_text);
    } catch (const nlohmann::json::exception& e) {
      throw InvalidArgument(std::string("document is not valid JSON: ") + e.what());
    }
    const auto out = PutTree(*impl_, coll, id, doc, options);
    return out.what == Impl::WriteOutcome::kIdemHit ? out.idem.seq : out.seq;
  }
  ValidateCollection(coll);
  ValidateId(id);
  ValidateWriteOptions(options);
  if (doc_text.size() > kMaxDocumentBytes) throw DocumentTooLarge(doc_text.size());
  std::string why;
  if (!IsCanonicalJsonObject(doc_text, &why)) {
    throw InvalidArgument("put_text: the document is not canonical JSON: " + why);
  }
  const ValueView doc_id = LookupMember(doc_text, "_id");
  std::string id_value;
  if (doc_id.rank != Rank::kString ||
      !UnescapeJsonString(doc_id.raw.substr(1, doc_id.raw.size() - 2), &id_value) ||
      id_value != id) {
    throw InvalidArgument(
        "put_text: the document's \"_id\" " +
        (doc_id.rank == Rank::kMissing ? std::string("is missing") : std::string(doc_id.raw)) +
        ", not the id argument \"" + std::string(id) + "\"");
  }
  OpView op;
  op.kind = OpKind::kPut;
  op.coll = coll;
  op.id = id;
  op.doc = doc_text;
  auto out = impl_->Write(op, options, [](const State&) { return true; });
  if (out.what == Impl::WriteOutcome::kIdemHit) {
    RequirePutIdem(out.idem, options);
    return out.idem.seq;
  }
  return out.seq;
}

bool NEDB::remove(std::string_view coll, std::string_view id, const WriteOptions& options) {
  impl_->CheckOpen();
  ValidateCollection(coll);
  ValidateId(id);
  ValidateWriteOptions(options);
  OpView op;
  op.kind = OpKind::kDelete;
  op.coll = coll;
  op.id = id;
  auto out = impl_->Write(op, options, [&](const State& s) { return s.docs().Live(coll, id); });
  return out.what != Impl::WriteOutcome::kNoop;
}

namespace {

bool EdgeWrite(NEDB::Impl& impl, OpKind kind, std::string_view from, std::string_view rel,
               std::string_view to, const WriteOptions& options) {
  impl.CheckOpen();
  ValidateNodeKey(from, "from");
  ValidateRelation(rel);
  ValidateNodeKey(to, "to");
  ValidateWriteOptions(options);
  OpView op;
  op.kind = kind;
  op.from = from;
  op.rel = rel;
  op.to = to;
  auto out = impl.Write(op, options, [&](const State& s) {
    return s.graph().Exists(from, rel, to) == (kind == OpKind::kUnlink);
  });
  return out.what != NEDB::Impl::WriteOutcome::kNoop;
}

}  // namespace

bool NEDB::link(std::string_view from, std::string_view rel, std::string_view to,
                const WriteOptions& options) {
  return EdgeWrite(*impl_, OpKind::kLink, from, rel, to, options);
}

bool NEDB::unlink(std::string_view from, std::string_view rel, std::string_view to,
                  const WriteOptions& options) {
  return EdgeWrite(*impl_, OpKind::kUnlink, from, rel, to, options);
}

namespace {

// Calls fn with the bytes of the version of coll/id a get() at as_of
// returns, unless there is none (a HEAD read expires a due document).
// Returns whether it called fn. fn runs under the state lock (an erase may
// free a version's bytes once the lock is released).
template <class Fn>
bool ReadDoc(NEDB::Impl& impl, std::string_view coll, std::string_view id,
             std::optional<std::uint64_t> as_of, Fn&& fn) {
  impl.CheckOpen();
  ValidateCollection(coll);
  ValidateId(id);
  if (as_of && *as_of < impl.base_seq()) {
    std::shared_ptr<const State> h = impl.HistoryAt(*as_of);  // immutable history
    const Blob* b = h->Read(coll, id, *as_of);
    if (b == nullptr) return false;
    fn(b->view());
    return true;
  }
  double now = 0;
  {
    std::shared_lock<std::shared_mutex> sl(impl.state_mu_);
    const Blob* b = impl.state_.Read(coll, id, impl.ResolveAsOf(as_of));
    if (b == nullptr) return false;
    if (as_of || !IsExpired(b->view(), now = impl.NowSeconds())) {
      fn(b->view());
      return true;
    }
  }
  impl.ExpireNow(coll, id, now);
  return false;
}

}  // namespace

std::optional<nlohmann::json> NEDB::get(std::string_view coll, std::string_view id,
                                        std::optional<std::uint64_t> as_of) const {
  std::optional<nlohmann::json> out;
  ReadDoc(*impl_, coll, id, as_of, [&](std::string_view doc) { out = ParseJsonText(doc); });
  return out;
}

std::optional<std::string> NEDB::get_text(std::string_view coll, std::string_view id,
                                          std::optional<std::uint64_t> as_of) const {
  std::optional<std::string> out;
  ReadDoc(*impl_, coll, id, as_of, [&](std::string_view doc) { out.emplace(doc); });
  return out;
}

bool NEDB::expire(std::string_view coll, std::string_view id, double ttl_s,
                  const WriteOptions& options) {
  impl_->CheckOpen();
  ValidateCollection(coll);
  ValidateId(id);
  ValidateWriteOptions(options);
  if (!std::isfinite(ttl_s) || ttl_s <= 0) {
    throw InvalidArgument("ttl_s must be a positive number of seconds, not " +
                          std::to_string(ttl_s));
  }
  for (;;) {
    // Read HEAD, then write it back with the new _expires_at only if HEAD
    // did not move in between (else read again).
    std::optional<nlohmann::json> doc = get(coll, id);  // expires it if due
    if (!doc) return false;
    std::uint64_t read_seq;
    {
      std::shared_lock<std::shared_mutex> sl(impl_->state_mu_);
      read_seq = impl_->state_.docs().HeadSeq(coll, id);
    }
    (*doc)["_expires_at"] = impl_->NowSeconds() + ttl_s;
    const std::string text = Canonical(*doc);
    OpView op;
    op.kind = OpKind::kPut;
    op.coll = coll;
    op.id = id;
    op.doc = text;
    WriteOptions o = options;
    o.ttl_s.reset();
    auto out = impl_->Write(op, o, [&](const State& s) {
      return s.docs().Live(coll, id) && s.docs().HeadSeq(coll, id) == read_seq;
    });
    if (out.what != Impl::WriteOutcome::kNoop) return true;
  }
}

std::size_t NEDB::sweep() {
  return impl_->SweepDue(std::numeric_limits<std::size_t>::max(),
                         std::chrono::steady_clock::time_point::max());
}

std::vector<std::string> NEDB::neighbors(std::string_view from, std::string_view rel,
                                         std::optional<std::uint64_t> as_of) const {
  impl_->CheckOpen();
  ValidateNodeKey(from, "from");
  ValidateRelation(rel);
  std::shared_lock<std::shared_mutex> sl(impl_->state_mu_);
  return impl_->state_.graph().Out(from, rel, impl_->ResolveAsOf(as_of));
}

std::vector<std::string> NEDB::inbound(std::string_view to, std::string_view rel,
                                       std::optional<std::uint64_t> as_of) const {
  impl_->CheckOpen();
  ValidateNodeKey(to, "to");
  ValidateRelation(rel);
  std::shared_lock<std::shared_mutex> sl(impl_->state_mu_);
  return impl_->state_.graph().In(to, rel, impl_->ResolveAsOf(as_of));
}

std::uint64_t NEDB::seq() const {
  impl_->CheckOpen();
  std::shared_lock<std::shared_mutex> sl(impl_->state_mu_);
  return impl_->state_.seq();
}

std::string NEDB::head() const { return impl_->RootHex(std::nullopt); }
std::string NEDB::root(std::optional<std::uint64_t> tree_size) const {
  return impl_->RootHex(tree_size);
}
std::string NEDB::leaf_entry(std::uint64_t seq) const { return impl_->LeafEntryHex(seq); }
InclusionProof NEDB::prove(std::uint64_t seq, std::optional<std::uint64_t> tree_size) const {
  return impl_->Prove(seq, tree_size);
}
ConsistencyProof NEDB::prove_consistency(std::uint64_t size1,
                                         std::optional<std::uint64_t> size2) const {
  return impl_->ProveConsistency(size1, size2);
}

std::uint64_t NEDB::erase(std::string_view coll, std::string_view id, const EraseOptions& options) {
  impl_->CheckOpen();
  ValidateCollection(coll);
  ValidateId(id);
  ValidateWriteOptions(WriteOptions{.client = options.client, .idem = options.idem});
  if (options.reason.size() > 1024) {
    throw InvalidArgument("erase reason is " + std::to_string(options.reason.size()) +
                          " bytes; the limit is 1024");
  }
  if (!IsValidUtf8(options.reason)) throw InvalidArgument("erase reason is not valid UTF-8");
  return impl_->Erase(coll, id, options);
}

bool NEDB::verify() const { return impl_->Verify(); }
nlohmann::json NEDB::checkpoint() { return impl_->Checkpoint(); }
nlohmann::json NEDB::open_info() const {
  impl_->CheckOpen();
  return impl_->OpenInfo();
}
bool NEDB::verify_determinism() const { return impl_->VerifyDeterminism(); }
void NEDB::atomic(const std::function<void()>& fn, AtomicSync sync) { impl_->Atomic(fn, sync); }
Stats NEDB::stats() const { return impl_->GetStats(); }
std::vector<nlohmann::json> NEDB::log(std::size_t limit) const { return impl_->LogTail(limit); }
void NEDB::flush() { impl_->Flush(); }
void NEDB::close() { impl_->Close(); }
const std::string& NEDB::path() const { return impl_->path(); }

}  // namespace nedb

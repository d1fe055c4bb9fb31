// SPDX-License-Identifier: Apache-2.0
#include "db/db_impl.h"

#include <absl/container/flat_hash_map.h>

#include <algorithm>
#include <cstring>
#include <iostream>
#include <limits>

#include "db/meta.h"
#include "env/file_util.h"
#include "log/log_format.h"
#include "log/v2/payload_digest.h"
#include "log/v2/record_codec.h"
#include "query/executor.h"

namespace nedb {

NEDB::Impl::Impl() : mem_env_(Env::NewMemEnv(Env::Default())) {
  env_ = mem_env_.get();
  OpenLog();
}

NEDB::Impl::Impl(const std::string& path, Options options)
    : path_(path), options_(std::move(options)) {
  if (path_.empty()) throw InvalidArgument("database path is empty");
  if (std::string why = EncryptionRefusal(options_); !why.empty()) throw NotSupported(why);
  env_ = options_.env != nullptr ? options_.env : Env::Default();
  env_->CreateDir(path_);
  lock_ = env_->LockFile(JoinPath(path_, logfmt::kLockFile));
  OpenLog();
  // Indexes are views of HEAD: fill them once from the replayed documents.
  for (const IndexSpec& spec : LoadOrCreateMeta(env_, path_).indexes) {
    if (MakeIndex(spec) == nullptr) {
      throw Error(JoinPath(path_, logfmt::kMetaFile) + ": unknown index kind \"" + spec.kind +
                  "\"");
    }
    if (!state_.indexes().Contains(spec)) state_.AddIndex(spec);
  }
  if (options_.expire_interval_ms > 0) StartExpirer();
}

NEDB::Impl::~Impl() {
  try {
    Close();
  } catch (const std::exception& e) {
    Log(std::string("close failed: ") + e.what());
  }
}

void NEDB::Impl::Log(const std::string& msg) const {
  if (options_.logger) {
    options_.logger(msg);
  } else {
    std::cerr << "nedb: " << (path_.empty() ? std::string("(memory)") : path_) << ": " << msg
              << "\n";
  }
}

void NEDB::Impl::CheckOpen() const {
  if (closed_.load(std::memory_order_acquire)) throw ClosedError("database is closed");
}

std::string NEDB::Impl::LogDir() const {
  return path_.empty() ? std::string("/memory/log") : JoinPath(path_, logv2::kLogDir);
}

void NEDB::Impl::CreateIndex(const IndexSpec& spec) {
  std::unique_lock<std::mutex> wl = LockWriter("create_index");  // no op is applied meanwhile
  CheckOpen();
  if (state_.indexes().Contains(spec)) return;
  if (durable()) {
    Meta meta;
    meta.indexes = state_.indexes().Specs();
    meta.indexes.push_back(spec);
    SaveMeta(env_, path_, meta);
  }
  std::unique_lock<std::shared_mutex> sl(state_mu_);
  state_.AddIndex(spec);
}

std::vector<nlohmann::json> NEDB::Impl::RunQuery(const nql::Query& q) {
  CheckOpen();
  std::vector<std::pair<std::string, std::string>> expired;
  std::vector<nlohmann::json> rows;
  const double now = NowSeconds();
  {
    if (q.as_of && *q.as_of < base_seq_) {  // before the snapshot: the history
      std::shared_ptr<const State> h = HistoryAt(*q.as_of);
      return Execute(MakePlan(q, *h, *q.as_of), *h, nullptr);
    }
    std::shared_lock<std::shared_mutex> sl(state_mu_);
    Plan plan = MakePlan(q, state_, ResolveAsOf(q.as_of));
    if (!q.as_of) plan.expire_at = now;  // HEAD reads expire lazily
    rows = Execute(plan, state_, &expired);
  }
  for (const auto& [coll, id] : expired) ExpireNow(coll, id, now);
  return rows;
}

bool NEDB::Impl::ExpireNow(std::string_view coll, std::string_view id, double now) {
  OpView op;
  op.kind = OpKind::kDelete;
  op.coll = coll;
  op.id = id;
  WriteOptions o{.client = std::string(logfmt::kGenesisClient)};
  auto out = Write(op, o, [&](const State& s) {
    const Blob* b = s.docs().Get(coll, id, s.seq());
    return b != nullptr && IsExpired(b->view(), now);
  });
  return out.what == WriteOutcome::kAppended;
}

void NEDB::Impl::EnsureExpiryIndex() const {
  {
    std::shared_lock<std::shared_mutex> sl(state_mu_);
    if (state_.expiry_built()) return;
  }
  std::unique_lock<std::shared_mutex> sl(state_mu_);
  if (!state_.expiry_built()) const_cast<State&>(state_).BuildExpiryIndex();
}

std::size_t NEDB::Impl::SweepDue(std::size_t max, std::chrono::steady_clock::time_point deadline) {
  CheckOpen();
  EnsureExpiryIndex();
  std::size_t total = 0;
  std::vector<std::pair<std::string, std::string>> due;
  while (total < max) {
    const double now = NowSeconds();
    const std::size_t want = std::min(kSweepBatch, max - total);
    due.clear();
    {
      std::shared_lock<std::shared_mutex> sl(state_mu_);
      state_.expiry().ForEachDue(
          now, [&](const Collection* c, const std::string& name, std::uint32_t e) {
            due.emplace_back(name, c->entries()[e].id);
            return due.size() < want;
          });
    }
    if (due.empty()) break;
    std::size_t n = 0;
    Atomic(
        [&] {
          for (const auto& [coll, id] : due) n += ExpireNow(coll, id, now) ? 1 : 0;
        },
        AtomicSync::kWait);
    total += n;
    // n == 0: what the index called due was not (it cannot be, but never spin).
    if (n == 0 || due.size() < want || std::chrono::steady_clock::now() >= deadline) break;
  }
  return total;
}

void NEDB::Impl::StartExpirer() {
  EnsureExpiryIndex();  // at open, before any client waits on the state lock
  expirer_ = std::thread([this] { ExpirerLoop(); });
}

void NEDB::Impl::StopExpirer() {
  {
    std::lock_guard<std::mutex> l(expirer_mu_);
    expirer_stop_ = true;
  }
  expirer_cv_.notify_all();
  if (expirer_.joinable()) expirer_.join();
}

void NEDB::Impl::ExpirerLoop() {
  const std::chrono::milliseconds interval(options_.expire_interval_ms);
  // Like Redis's active expiry: at most a quarter of each interval.
  const auto budget =
      std::max<std::chrono::steady_clock::duration>(std::chrono::milliseconds(1), interval / 4);
  bool failing = false;
  std::unique_lock<std::mutex> l(expirer_mu_);
  for (;;) {
    if (expirer_cv_.wait_for(l, interval, [this] { return expirer_stop_; })) return;
    l.unlock();
    try {
      SweepDue(std::numeric_limits<std::size_t>::max(), std::chrono::steady_clock::now() + budget);
      failing = false;
    } catch (const ClosedError&) {
      return;
    } catch (const std::exception& e) {
      if (!failing) Log(std::string("background expiry failed (retrying): ") + e.what());
      failing = true;
    }
    l.lock();
  }
}

nlohmann::json NEDB::Impl::ExplainQuery(const nql::Query& q) {
  CheckOpen();
  if (q.as_of && *q.as_of < base_seq_) {
    std::shared_ptr<const State> h = HistoryAt(*q.as_of);
    return ExplainPlan(MakePlan(q, *h, *q.as_of));
  }
  std::shared_lock<std::shared_mutex> sl(state_mu_);
  return ExplainPlan(MakePlan(q, state_, ResolveAsOf(q.as_of)));
}

void NEDB::Impl::WriteGenesis() {
  OpView op;
  op.seq = 0;
  op.ts = env_->NowMicros() / 1000;
  op.client = logfmt::kGenesisClient;
  op.nonce = 0;
  op.kind = OpKind::kGenesis;
  op.format_version = logv2::kLogFormatVersion;
  AppendOp(op);
}

void NEDB::Impl::AppendOp(const OpView& op) {
  char salt[logv2::kSaltBytes];
  if (op.kind == OpKind::kPut) logv2::NewSalt(salt);
  const logv2::OpRecord rec = logv2::ToRecord(op, std::string_view(salt, sizeof salt), &convert_);
  const logv2::RecordLocation loc = log_->Append(rec);  // throws: nothing appended
  entry_.clear();
  logv2::AppendLeafEntry(rec, &entry_);
  const merkle::Hash leaf = merkle::HashLeaf(entry_);
  if (entry_.capacity() > (1u << 20)) std::string().swap(entry_);
  appended_[static_cast<int>(op.kind)].fetch_add(1, std::memory_order_relaxed);
  std::unique_lock<std::shared_mutex> sl(state_mu_);
  tree_.Append(leaf);
  locs_.push_back(Loc{loc.offset, loc.segment, static_cast<std::uint32_t>(loc.size)});
  state_.Apply(op);
}

logv2::RecordLocation NEDB::Impl::LocOf(std::uint64_t seq) const {
  const Loc& l = locs_[seq];
  return logv2::RecordLocation{l.segment, l.offset, l.size};
}

namespace {
// The database whose Atomic() the calling thread is inside, if any.
thread_local const NEDB::Impl* tl_atomic_db = nullptr;
}  // namespace

bool NEDB::Impl::InAtomic() const { return tl_atomic_db == this; }

std::unique_lock<std::mutex> NEDB::Impl::LockWriter(const char* what) const {
  if (InAtomic()) throw InvalidArgument(std::string(what) + "() cannot be called inside atomic()");
  std::unique_lock<std::mutex> wl(write_mu_);
  // Whatever takes the writer lock sees the whole log in the file: records
  // deferred by atomic(fn, kDefer) are written first.
  if (log_) log_->WritePending();
  return wl;
}

void NEDB::Impl::Atomic(const std::function<void()>& fn, AtomicSync sync) {
  if (InAtomic()) return fn();
  std::unique_lock<std::mutex> wl(write_mu_);
  CheckOpen();
  log_->BeginBatch();                            // fn's records go out in one write()
  const NEDB::Impl* const outer = tl_atomic_db;  // atomic() on another database
  tl_atomic_db = this;
  atomic_end_ = 0;
  std::exception_ptr failure;
  try {
    fn();
  } catch (...) {
    failure = std::current_exception();
  }
  tl_atomic_db = outer;
  std::uint64_t end = atomic_end_;
  try {
    // kDefer under Sync::Always: the records wait for flush() (or the next
    // write), which writes every deferred group with one write().
    // A failure breaks the log: applied ops are not logged.
    log_->EndBatch(sync == AtomicSync::kDefer);
  } catch (...) {
    if (!failure) failure = std::current_exception();
    end = 0;  // nothing to make durable
  }
  wl.unlock();
  // What fn appended is visible to readers: make it durable even if fn failed.
  if (end > 0 && durable() && log_->policy() == Sync::Always && sync == AtomicSync::kWait) {
    try {
      log_->SyncTo(end);
    } catch (...) {
      if (!failure) throw;
    }
  }
  if (failure) std::rethrow_exception(failure);
}

NEDB::Impl::WriteOutcome NEDB::Impl::Write(OpView& op, const WriteOptions& o,
                                           const std::function<bool(const State&)>& should_append) {
  std::uint64_t end = 0;
  if (InAtomic()) {  // write_mu_ is held by this thread; Atomic() syncs
    CheckOpen();
    WriteOutcome out = WriteLocked(op, o, should_append, &end);
    if (out.what == WriteOutcome::kAppended) atomic_end_ = std::max(atomic_end_, end);
    return out;
  }
  std::unique_lock<std::mutex> wl(write_mu_);
  CheckOpen();
  WriteOutcome out = WriteLocked(op, o, should_append, &end);
  wl.unlock();
  if (out.what == WriteOutcome::kAppended && durable() && log_->policy() == Sync::Always) {
    log_->SyncTo(end);
  }
  return out;
}

NEDB::Impl::WriteOutcome NEDB::Impl::WriteLocked(
    OpView& op, const WriteOptions& o, const std::function<bool(const State&)>& should_append,
    std::uint64_t* end) {
  // Writers are serialized by write_mu_, so state_ is stable here without
  // state_mu_; only Apply below takes it exclusively.
  if (o.idem) {
    if (const IdemRecord* r = state_.idem(*o.idem)) {
      WriteOutcome out{WriteOutcome::kIdemHit};
      out.idem = *r;
      return out;
    }
  }
  const std::uint64_t last = state_.last_nonce(o.client);
  if (!o.nonce && last == std::numeric_limits<std::uint64_t>::max()) {
    throw ReplayError("client \"" + o.client + "\" has used every nonce");
  }
  const std::uint64_t nonce = o.nonce.value_or(last + 1);
  if (nonce <= last) {
    throw ReplayError("nonce " + std::to_string(nonce) + " for client \"" + o.client +
                      "\" is not greater than its last nonce " + std::to_string(last) +
                      " (stale or duplicate write)");
  }
  if (!should_append(state_)) return WriteOutcome{WriteOutcome::kNoop};

  op.seq = state_.seq() + 1;
  op.ts = env_->NowMicros() / 1000;
  op.client = o.client;
  op.nonce = nonce;
  if (o.idem) op.idem = *o.idem;
  AppendOp(op);  // throws IOError: nothing applied, nothing appended
  *end = op.seq + 1;
  WriteOutcome out{WriteOutcome::kAppended};
  out.seq = op.seq;
  return out;
}

std::uint64_t NEDB::Impl::ResolveAsOf(std::optional<std::uint64_t> as_of) const {
  const std::uint64_t head = state_.seq();
  if (!as_of) return head;
  if (*as_of > head) {
    throw InvalidArgument("as_of " + std::to_string(*as_of) +
                          " is in the future: the head is seq " + std::to_string(head));
  }
  return *as_of;
}

void NEDB::Impl::Flush() {
  CheckOpen();
  if (InAtomic()) {
    log_->WritePending();  // write_mu_ is ours: the batch so far
  } else if (log_->has_deferred()) {
    std::lock_guard<std::mutex> wl(write_mu_);
    log_->WritePending();
  }
  if (durable()) log_->Flush();
}

void NEDB::Impl::Close() {
  // Inside atomic() the expiry thread may be waiting for our write lock.
  if (InAtomic()) throw InvalidArgument("close() cannot be called inside atomic()");
  StopExpirer();
  std::unique_lock<std::mutex> wl = LockWriter("close");
  if (closed_.exchange(true)) return;
  std::unique_ptr<logv2::SegmentLog> w = std::move(log_);
  std::unique_ptr<FileLock> l = std::move(lock_);
  wl.unlock();
  if (w) w->Close();  // throws on a failed final fsync; the lock is released anyway
}

Stats NEDB::Impl::GetStats() const {
  CheckOpen();
  Stats st;
  for (int k = static_cast<int>(OpKind::kPut); k <= static_cast<int>(OpKind::kErase); ++k) {
    st.ops_appended[std::string(OpKindName(static_cast<OpKind>(k)))] =
        appended_[k].load(std::memory_order_relaxed);
  }
  if (durable()) st.fsyncs = log_->fsync_count();
  EnsureExpiryIndex();
  const double now = NowSeconds();
  std::shared_lock<std::shared_mutex> sl(state_mu_);
  st.seq = state_.seq();
  // Expired documents are not live, deleted or not yet: O(expired).
  absl::flat_hash_map<const Collection*, std::uint64_t> expired;
  state_.expiry().ForEachDue(now, [&](const Collection* c, const std::string&, std::uint32_t) {
    ++expired[c];
    ++st.expired_pending;
    return true;
  });
  for (const auto& [name, coll] : state_.docs().collections()) {
    auto x = expired.find(coll.get());
    const std::uint64_t live = coll->live() - (x == expired.end() ? 0 : x->second);
    if (live == 0) continue;
    st.collections[name] = live;
    st.live_docs += live;
  }
  return st;
}

}  // namespace nedb

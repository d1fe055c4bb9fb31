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
#include "log/log_reader.h"
#include "log/op_codec.h"
#include "query/executor.h"

namespace nedb {

NEDB::Impl::Impl() : env_(Env::Default()) { WriteGenesis(); }

NEDB::Impl::Impl(const std::string& path, Options options)
    : path_(path), options_(std::move(options)) {
  if (path_.empty()) throw InvalidArgument("database path is empty");
  if (std::string why = EncryptionRefusal(options_); !why.empty()) throw NotSupported(why);
  env_ = options_.env != nullptr ? options_.env : Env::Default();
  OpenDurable();
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

void NEDB::Impl::OpenDurable() {
  env_->CreateDir(path_);
  lock_ = env_->LockFile(JoinPath(path_, logfmt::kLockFile));
  const std::string log = JoinPath(path_, logfmt::kLogFile);
  std::uint64_t valid = 0;
  open_info_ = {{"snapshot", false}, {"snapshot_seq", nullptr}, {"replayed_ops", 0}};
  if (env_->FileExists(log) && env_->GetFileSize(log) > 0 && OpenFromSnapshot(log, &valid)) {
    // state_ is the snapshot plus the ops after it; the tail is already cut.
  } else if (env_->FileExists(log) && env_->GetFileSize(log) > 0) {
    auto file = env_->NewSequentialFile(log);
    ScanResult r = ScanLog(*file, TailPolicy::kRecover,
                           [this](const OpView& op, std::uint64_t) { state_.Apply(op); });
    open_info_["replayed_ops"] = r.ops;
    if (r.torn_tail) {
      const std::uint64_t size = env_->GetFileSize(log);
      Log("log.aof: cut a torn tail of " + std::to_string(size - r.valid_bytes) +
          " bytes at offset " + std::to_string(r.valid_bytes) + " (" + r.torn_reason +
          "); the last whole op is seq " + std::to_string(r.last_seq));
      env_->TruncateFile(log, r.valid_bytes);
    }
    valid = r.valid_bytes;
  } else if (env_->FileExists(log)) {
    env_->TruncateFile(log, 0);
  }
  auto file = env_->NewAppendableFile(log);
  file->Sync();  // a cut tail must be durable before new ops follow it
  writer_ = std::make_unique<LogWriter>(std::move(file), valid, options_.sync);
  if (state_.empty()) {
    WriteGenesis();
    writer_->Flush();
    env_->SyncDir(path_);
  }
  // Indexes are views of HEAD: fill them once from the replayed documents.
  for (const IndexSpec& spec : LoadOrCreateMeta(env_, path_).indexes) {
    if (MakeIndex(spec) == nullptr) {
      throw Error(JoinPath(path_, logfmt::kMetaFile) + ": unknown index kind \"" + spec.kind +
                  "\"");
    }
    if (!state_.indexes().Contains(spec)) state_.AddIndex(spec);
  }
}

void NEDB::Impl::CreateIndex(const IndexSpec& spec) {
  std::unique_lock<std::mutex> wl = LockWriter("create_index");  // no op is applied meanwhile
  CheckOpen();
  if (state_.indexes().Contains(spec)) return;
  if (writer_) {
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
      const State& h = StateAt(*q.as_of);
      return Execute(MakePlan(q, h, *q.as_of), h, nullptr);
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
    const State& h = StateAt(*q.as_of);
    return ExplainPlan(MakePlan(q, h, *q.as_of));
  }
  std::shared_lock<std::shared_mutex> sl(state_mu_);
  return ExplainPlan(MakePlan(q, state_, ResolveAsOf(q.as_of)));
}

void NEDB::Impl::AppendLine(std::string_view line, std::uint64_t* end) {
  if (writer_) {
    *end = writer_->Append(line);
  } else {
    mem_log_.Append(line);
    *end = mem_log_.size();
  }
}

void NEDB::Impl::WriteGenesis() {
  OpView op;
  op.seq = 0;
  op.ts = env_->NowMicros() / 1000;
  op.client = logfmt::kGenesisClient;
  op.nonce = 0;
  op.kind = OpKind::kGenesis;
  op.format_version = logfmt::kFormatVersion;
  op.prev = logfmt::kZeroHash;
  std::string line;
  char hash[kDigestHexChars];
  EncodeOpLine(op, &line, hash);
  op.hash = std::string_view(hash, kDigestHexChars);
  std::uint64_t end;
  AppendLine(line, &end);
  std::unique_lock<std::shared_mutex> sl(state_mu_);
  state_.Apply(op);
}

namespace {
// The database whose Atomic() the calling thread is inside, if any.
thread_local const NEDB::Impl* tl_atomic_db = nullptr;
}  // namespace

bool NEDB::Impl::InAtomic() const { return tl_atomic_db == this; }

std::unique_lock<std::mutex> NEDB::Impl::LockWriter(const char* what) const {
  if (InAtomic()) throw InvalidArgument(std::string(what) + "() cannot be called inside atomic()");
  std::unique_lock<std::mutex> wl(write_mu_);
  // Whatever takes the writer lock sees the whole log in the file: lines
  // deferred by atomic(fn, kDefer) are written first.
  if (writer_) writer_->WritePending();
  return wl;
}

void NEDB::Impl::Atomic(const std::function<void()>& fn, AtomicSync sync) {
  if (InAtomic()) return fn();
  std::unique_lock<std::mutex> wl(write_mu_);
  CheckOpen();
  if (writer_) writer_->BeginBatch();            // fn's lines go out in one write()
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
  if (writer_) {
    try {
      // kDefer under Sync::Always: the lines wait for flush() (or the next
      // write), which writes every deferred group with one write().
      // A failure breaks the writer: applied ops are not logged.
      writer_->EndBatch(sync == AtomicSync::kDefer);
    } catch (...) {
      if (!failure) failure = std::current_exception();
      end = 0;  // nothing to make durable
    }
  }
  wl.unlock();
  // What fn appended is visible to readers: make it durable even if fn failed.
  if (end > 0 && writer_ && writer_->policy() == Sync::Always && sync == AtomicSync::kWait) {
    try {
      writer_->SyncTo(end);
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
  if (out.what == WriteOutcome::kAppended && writer_ && writer_->policy() == Sync::Always) {
    writer_->SyncTo(end);
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
  char prev[kDigestHexChars];  // Apply replaces the head op.prev points to
  std::memcpy(prev, state_.head().data(), kDigestHexChars);
  op.prev = std::string_view(prev, kDigestHexChars);
  std::string& line = line_;
  line.clear();
  char hash[kDigestHexChars];
  EncodeOpLine(op, &line, hash);
  if (line.size() > logfmt::kMaxLineBytes) {
    throw InvalidArgument("op is " + std::to_string(line.size()) + " bytes; the limit is " +
                          std::to_string(logfmt::kMaxLineBytes));
  }
  op.hash = std::string_view(hash, kDigestHexChars);
  AppendLine(line, end);  // throws IOError: nothing applied, nothing appended
  if (line.capacity() > (1u << 20)) std::string().swap(line_);  // after a huge document
  appended_[static_cast<int>(op.kind)].fetch_add(1, std::memory_order_relaxed);
  {
    std::unique_lock<std::shared_mutex> sl(state_mu_);
    state_.Apply(op);
  }
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

void NEDB::Impl::ScanCurrentLog(const std::function<void(const OpView&, std::uint64_t)>& fn,
                                std::uint64_t limit, bool chain_only) const {
  if (writer_) {
    auto file = env_->NewSequentialFile(JoinPath(path_, logfmt::kLogFile));
    ScanLog(*file, TailPolicy::kStrict, fn, limit, chain_only);
  } else {
    MemLog::Reader file(mem_log_);
    ScanLog(file, TailPolicy::kStrict, fn, limit, chain_only);
  }
}

bool NEDB::Impl::Verify() const {
  std::unique_lock<std::mutex> wl = LockWriter("verify");
  CheckOpen();
  const std::uint64_t end = writer_ ? writer_->size() : mem_log_.size();
  std::uint64_t seq;
  std::string head;
  {
    std::shared_lock<std::shared_mutex> sl(state_mu_);
    seq = state_.seq();
    head = state_.head();
  }
  // A durable log is re-read from disk without blocking writers: reading
  // stops at the end captured above. Memory logs are read under the lock.
  if (writer_) wl.unlock();
  try {
    std::uint64_t ops = 0;
    std::string last;
    ScanCurrentLog(
        [&](const OpView& op, std::uint64_t) {
          ++ops;
          last.assign(op.hash);
        },
        end, /*chain_only=*/true);
    return ops == seq + 1 && last == head;
  } catch (const CorruptionError& e) {
    Log(std::string("verify failed: ") + e.what());
    return false;
  }
}

bool NEDB::Impl::VerifyDeterminism() const {
  std::unique_lock<std::mutex> wl = LockWriter("verify_determinism");  // no writes while comparing
  CheckOpen();
  const std::uint64_t end = writer_ ? writer_->size() : mem_log_.size();
  State fresh;
  try {
    ScanCurrentLog([&](const OpView& op, std::uint64_t) { fresh.Apply(op); }, end);
  } catch (const CorruptionError& e) {
    Log(std::string("verify_determinism: log unreadable: ") + e.what());
    return false;
  }
  std::shared_lock<std::shared_mutex> sl(state_mu_);
  return state_.MatchesReplay(fresh, base_seq_);
}

void NEDB::Impl::Flush() {
  CheckOpen();
  if (!writer_) return;
  if (InAtomic()) {
    writer_->WritePending();  // write_mu_ is ours: the batch so far
  } else if (writer_->has_deferred()) {
    std::lock_guard<std::mutex> wl(write_mu_);
    writer_->WritePending();
  }
  writer_->Flush();
}

void NEDB::Impl::Close() {
  // Inside atomic() the expiry thread may be waiting for our write lock.
  if (InAtomic()) throw InvalidArgument("close() cannot be called inside atomic()");
  StopExpirer();
  std::unique_lock<std::mutex> wl = LockWriter("close");
  if (closed_.exchange(true)) return;
  std::unique_ptr<LogWriter> w = std::move(writer_);
  std::unique_ptr<FileLock> l = std::move(lock_);
  wl.unlock();
  if (w) w->Close();  // throws on a failed final fsync; the lock is released anyway
}

Stats NEDB::Impl::GetStats() const {
  CheckOpen();
  Stats st;
  for (int k = static_cast<int>(OpKind::kPut); k <= static_cast<int>(OpKind::kCheckpoint); ++k) {
    st.ops_appended[std::string(OpKindName(static_cast<OpKind>(k)))] =
        appended_[k].load(std::memory_order_relaxed);
  }
  if (writer_) st.fsyncs = writer_->fsync_count();
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

std::vector<nlohmann::json> NEDB::Impl::LogTail(std::size_t limit) const {
  std::vector<nlohmann::json> out;
  if (limit == 0) return out;
  // The log ends with a complete line after every write, so read backwards in
  // growing windows until `limit` whole lines (or the start) are in view.
  std::unique_lock<std::mutex> wl = LockWriter("log");
  CheckOpen();
  const std::uint64_t end = writer_ ? writer_->size() : mem_log_.size();
  if (writer_) wl.unlock();  // a durable log is read from disk up to `end`
  std::string buf;
  std::uint64_t window = 64 << 10;
  for (;;) {
    const std::uint64_t start = end > window ? end - window : 0;
    std::unique_ptr<SequentialFile> file;
    if (writer_) {
      file = env_->NewSequentialFile(JoinPath(path_, logfmt::kLogFile));
    } else {
      file = std::make_unique<MemLog::Reader>(mem_log_);
    }
    file->Skip(start);
    buf.resize(end - start);
    std::size_t got = 0;
    while (got < buf.size()) {
      const std::size_t k = file->Read(buf.data() + got, buf.size() - got);
      if (k == 0) break;
      got += k;
    }
    if (got != buf.size()) throw CorruptionError("log.aof is shorter than written", 0, end);
    // Line starts: after every '\n' but the last; the first piece is whole
    // only when the window reaches the start of the file.
    std::vector<std::size_t> starts;
    if (start == 0) starts.push_back(0);
    for (std::size_t i = 0; i + 1 < buf.size(); ++i) {
      if (buf[i] == '\n') starts.push_back(i + 1);
    }
    if (starts.size() >= limit || start == 0) {
      for (std::size_t n = 0; n < limit && n < starts.size(); ++n) {
        const std::size_t b = starts[starts.size() - 1 - n];
        std::size_t e = buf.find('\n', b);
        if (e == std::string::npos) e = buf.size();
        out.push_back(nlohmann::json::parse(std::string_view(buf).substr(b, e - b)));
      }
      return out;
    }
    window *= 4;
  }
}

}  // namespace nedb

// SPDX-License-Identifier: Apache-2.0
// FaultInjectionEnv: an Env that forwards to a real one but can fail chosen
// calls, in the spirit of LevelDB's / RocksDB's fault-injection envs.
//
//   FaultInjectionEnv env;                       // wraps Env::Default()
//   env.Arm(FaultInjectionEnv::kAppend, 3, ".seg", false, /*short_bytes=*/10);
//   nedb::NEDB db(dir, {.env = &env});           // the 3rd append to a log
//                                                // segment writes 10 bytes,
//                                                // then throws
//
// A fault is armed for the Nth matching call counted from Arm() (1-based) and
// fires once, or on every matching call from the Nth on if sticky. Every call
// is counted. Thread-safe: the engine appends and fsyncs from different
// threads (group commit).
//
// It also keeps, for every file it opened for writing, how many of its bytes
// a successful fsync (or an in-place rewrite, which fdatasyncs) covered,
// until an fsync of the file fails: the kernel may have dropped the dirty
// pages it failed to write, so no later fsync vouches for them.
// DropUnsyncedData() cuts each file back to that, as a power loss may.
#ifndef NEDB_TESTS_FAULT_ENV_H_
#define NEDB_TESTS_FAULT_ENV_H_

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nedb/env.h"
#include "nedb/errors.h"

namespace nedb_test {

class FaultInjectionEnv : public nedb::EnvWrapper {
 public:
  // kOpen: opening a file for writing; kOpenRead: for reading
  // (NewSequentialFile, which Env::MapReadOnly's and NewRandomAccessFile's
  // defaults read through); kRewrite: Env::RewriteFileRange (erasing a
  // payload in place).
  enum Call {
    kAppend,
    kSync,
    kTruncate,
    kOpen,
    kCreateDir,
    kSyncDir,
    kRename,
    kOpenRead,
    kRewrite,
    kNumCalls
  };

  explicit FaultInjectionEnv(nedb::Env* target = nedb::Env::Default()) : EnvWrapper(target) {}

  // Fails the nth call of kind `call` (counted from now) whose path contains
  // path_part. For kAppend, short_bytes (if set) writes that many bytes of
  // the data (at most all but one) to the real file before throwing; for
  // kRewrite, that many bytes of the new data (all of it at most: a rewrite
  // whose fdatasync failed) are written in place before throwing.
  void Arm(Call call, int nth, std::string path_part = "", bool sticky = false,
           std::optional<std::size_t> short_bytes = std::nullopt) {
    std::lock_guard<std::mutex> l(mu_);
    faults_[call] = Fault{true, nth, std::move(path_part), sticky, short_bytes};
  }
  void Disarm(Call call) {
    std::lock_guard<std::mutex> l(mu_);
    faults_[call] = Fault{};
  }
  void DisarmAll() {
    std::lock_guard<std::mutex> l(mu_);
    faults_ = {};
  }
  // Calls of each kind made so far, and faults fired.
  std::uint64_t count(Call call) const {
    std::lock_guard<std::mutex> l(mu_);
    return counts_[call];
  }
  std::uint64_t fired() const {
    std::lock_guard<std::mutex> l(mu_);
    return fired_;
  }

  // The clock: once set, NowMicros() returns it (plus auto_step per call).
  void SetNowMicros(std::int64_t t, std::int64_t auto_step = 0) {
    std::lock_guard<std::mutex> l(mu_);
    now_ = t;
    step_ = auto_step;
  }
  void AdvanceMicros(std::int64_t d) {
    std::lock_guard<std::mutex> l(mu_);
    if (now_) *now_ += d;
  }
  std::int64_t NowMicros() override {
    std::lock_guard<std::mutex> l(mu_);
    if (!now_) return target()->NowMicros();
    std::int64_t t = *now_;
    *now_ += step_;
    return t;
  }

  // Cuts every file opened through this Env whose path contains path_part
  // back to the bytes fsyncs covered before any of its fsyncs failed (what a
  // power loss may leave). REQUIRES: nothing writes the files now (the
  // database is closed).
  void DropUnsyncedData(const std::string& path_part) {
    std::lock_guard<std::mutex> l(mu_);
    for (auto& [path, st] : files_) {
      if (path.find(path_part) == std::string::npos || !target()->FileExists(path)) continue;
      if (target()->GetFileSize(path) > st.synced) target()->TruncateFile(path, st.synced);
      st = FileState{st.synced, st.synced, false};
    }
  }

  // Returns whether the call should fail; sets *short_bytes for an append.
  bool ShouldFail(Call call, const std::string& path, std::optional<std::size_t>* short_bytes) {
    std::lock_guard<std::mutex> l(mu_);
    counts_[call]++;
    Fault& f = faults_[call];
    if (!f.armed || path.find(f.path_part) == std::string::npos) return false;
    if (--f.countdown > 0) return false;
    if (!f.sticky) f.armed = false;
    fired_++;
    if (short_bytes) *short_bytes = f.short_bytes;
    return true;
  }
  void MaybeFail(Call call, const std::string& path) {
    if (ShouldFail(call, path, nullptr)) Throw(call, path);
  }
  [[noreturn]] static void Throw(Call call, const std::string& path) {
    static constexpr const char* kNames[] = {
        "append",   "fsync",  "truncate",         "open",   "create dir",
        "sync dir", "rename", "open for reading", "rewrite"};
    static_assert(sizeof kNames / sizeof kNames[0] == kNumCalls);
    throw nedb::IOError(std::string("injected ") + kNames[call] + " failure on " + path);
  }

  std::unique_ptr<nedb::WritableFile> NewAppendableFile(const std::string& p) override {
    MaybeFail(kOpen, p);
    auto f = std::make_unique<File>(this, p, target()->NewAppendableFile(p));
    Opened(p, target()->GetFileSize(p));
    return f;
  }
  std::unique_ptr<nedb::WritableFile> NewWritableFile(const std::string& p) override {
    MaybeFail(kOpen, p);
    auto f = std::make_unique<File>(this, p, target()->NewWritableFile(p));
    Opened(p, 0);
    return f;
  }
  // Not MapReadOnly: EnvWrapper's (Env's default) reads through this.
  std::unique_ptr<nedb::SequentialFile> NewSequentialFile(const std::string& p) override {
    MaybeFail(kOpenRead, p);
    return target()->NewSequentialFile(p);
  }
  void CreateDir(const std::string& d) override {
    MaybeFail(kCreateDir, d);
    target()->CreateDir(d);
  }
  void SyncDir(const std::string& d) override {
    MaybeFail(kSyncDir, d);
    target()->SyncDir(d);
  }
  void RenameFile(const std::string& s, const std::string& d) override {
    MaybeFail(kRename, s);
    target()->RenameFile(s, d);
    std::lock_guard<std::mutex> l(mu_);
    files_.erase(d);
    if (auto it = files_.find(s); it != files_.end()) {
      files_[d] = it->second;
      files_.erase(it);
    }
  }
  void RemoveFile(const std::string& p) override {
    target()->RemoveFile(p);
    std::lock_guard<std::mutex> l(mu_);
    files_.erase(p);
  }
  void TruncateFile(const std::string& p, std::uint64_t n) override {
    MaybeFail(kTruncate, p);
    target()->TruncateFile(p, n);
    Resized(p, n);
  }
  void RewriteFileRange(const std::string& p, std::uint64_t offset,
                        std::string_view data) override {
    std::optional<std::size_t> short_bytes;
    if (ShouldFail(kRewrite, p, &short_bytes)) {
      if (short_bytes && *short_bytes > 0) {
        target()->RewriteFileRange(p, offset, data.substr(0, std::min(*short_bytes, data.size())));
      }
      Throw(kRewrite, p);
    }
    target()->RewriteFileRange(p, offset, data);
    Synced(p, std::nullopt);  // it fdatasyncs the file: everything in it is durable
  }

 private:
  struct Fault {
    bool armed = false;
    int countdown = 0;
    std::string path_part;
    bool sticky = false;
    std::optional<std::size_t> short_bytes;
  };
  // A file's size as appended through this Env, and how much of it an
  // fsync covered.
  struct FileState {
    std::uint64_t size = 0;
    std::uint64_t synced = 0;
    bool sync_failed = false;  // synced stays as it was
  };

  // What was in the file when it was first opened counts as durable.
  void Opened(const std::string& p, std::uint64_t size) {
    std::lock_guard<std::mutex> l(mu_);
    auto [it, added] = files_.try_emplace(p, FileState{size, size, false});
    it->second.size = size;
    it->second.synced = std::min(it->second.synced, size);
  }
  void Appended(const std::string& p, std::uint64_t n) {
    std::lock_guard<std::mutex> l(mu_);
    files_[p].size += n;
  }
  void Resized(const std::string& p, std::uint64_t n) {
    std::lock_guard<std::mutex> l(mu_);
    auto it = files_.find(p);
    if (it == files_.end()) return;
    it->second.size = n;
    it->second.synced = std::min(it->second.synced, n);
  }
  std::uint64_t SizeOf(const std::string& p) {
    std::lock_guard<std::mutex> l(mu_);
    return files_[p].size;
  }
  // covered: the size when the fsync began (nullopt: the size now).
  void Synced(const std::string& p, std::optional<std::uint64_t> covered) {
    std::lock_guard<std::mutex> l(mu_);
    auto it = files_.find(p);
    if (it == files_.end() || it->second.sync_failed) return;
    it->second.synced = std::max(it->second.synced, covered.value_or(it->second.size));
  }
  void SyncFailed(const std::string& p) {
    std::lock_guard<std::mutex> l(mu_);
    files_[p].sync_failed = true;
  }

  class File final : public nedb::WritableFile {
   public:
    File(FaultInjectionEnv* env, std::string path, std::unique_ptr<nedb::WritableFile> base)
        : env_(env), path_(std::move(path)), base_(std::move(base)) {}
    void Append(std::string_view data) override {
      std::optional<std::size_t> short_bytes;
      if (env_->ShouldFail(kAppend, path_, &short_bytes)) {
        if (short_bytes && !data.empty()) {
          const std::string_view part = data.substr(0, std::min(*short_bytes, data.size() - 1));
          base_->Append(part);
          env_->Appended(path_, part.size());
        }
        Throw(kAppend, path_);
      }
      base_->Append(data);
      env_->Appended(path_, data.size());
    }
    void Sync() override {
      const std::uint64_t covered = env_->SizeOf(path_);  // appended before the fsync began
      try {
        env_->MaybeFail(kSync, path_);
        base_->Sync();
      } catch (const nedb::IOError&) {
        env_->SyncFailed(path_);
        throw;
      }
      env_->Synced(path_, covered);
    }
    void Truncate(std::uint64_t size) override {
      env_->MaybeFail(kTruncate, path_);
      base_->Truncate(size);
      env_->Resized(path_, size);
    }
    void Close() override { base_->Close(); }

   private:
    FaultInjectionEnv* env_;
    std::string path_;
    std::unique_ptr<nedb::WritableFile> base_;
  };

  mutable std::mutex mu_;
  std::array<Fault, kNumCalls> faults_{};
  std::array<std::uint64_t, kNumCalls> counts_{};
  std::uint64_t fired_ = 0;
  std::map<std::string, FileState> files_;  // by path
  std::optional<std::int64_t> now_;
  std::int64_t step_ = 0;
};

// FailNthCallEnv: fails the nth call of any kind -- on the Env (opens,
// existence checks, listings, sizes, creates, removals, renames, in-place
// rewrites, directory fsyncs) or on a file it opened (reads, appends, fsyncs, truncations,
// closes) -- to walk a procedure through a failure at each of its steps in
// turn:
//
//   for (std::uint64_t n = 1;; ++n) {
//     FailNthCallEnv env(n);
//     try { Step(&env); } catch (const nedb::IOError&) {}
//     if (!env.fired()) break;  // every call has failed once
//     ... check that a retry with a good Env recovers ...
//   }
//
// A failing append writes the first half of its data first. With crash set,
// every call after the nth fails too, as if the process had died there: no
// later step, clean-up included, reaches the disk. Not thread-safe.
class FailNthCallEnv : public nedb::EnvWrapper {
 public:
  explicit FailNthCallEnv(std::uint64_t nth, bool crash = false,
                          nedb::Env* target = nedb::Env::Default())
      : EnvWrapper(target), nth_(nth), crash_(crash) {}

  std::uint64_t calls() const { return calls_; }
  bool fired() const { return !failed_.empty(); }
  // What the nth call was ("rename a -> b"); empty if it was not reached.
  const std::string& failed_call() const { return failed_; }

  // Counts a call; throws IOError if it is to fail.
  void Step(const std::string& what) {
    ++calls_;
    if (calls_ == nth_) failed_ = what;
    if (calls_ == nth_ || (crash_ && calls_ > nth_)) {
      throw nedb::IOError("injected failure of call " + std::to_string(calls_) + ": " + what);
    }
  }

  std::unique_ptr<nedb::WritableFile> NewAppendableFile(const std::string& p) override {
    Step("open for appending " + p);
    return std::make_unique<File>(this, p, target()->NewAppendableFile(p));
  }
  std::unique_ptr<nedb::WritableFile> NewWritableFile(const std::string& p) override {
    Step("open for writing " + p);
    return std::make_unique<File>(this, p, target()->NewWritableFile(p));
  }
  std::unique_ptr<nedb::SequentialFile> NewSequentialFile(const std::string& p) override {
    Step("open for reading " + p);
    return std::make_unique<Reader>(this, p, target()->NewSequentialFile(p));
  }
  bool FileExists(const std::string& p) override {
    Step("exists " + p);
    return target()->FileExists(p);
  }
  std::uint64_t GetFileSize(const std::string& p) override {
    Step("size " + p);
    return target()->GetFileSize(p);
  }
  std::vector<std::string> GetChildren(const std::string& d) override {
    Step("list " + d);
    return target()->GetChildren(d);
  }
  void CreateDir(const std::string& d) override {
    Step("create dir " + d);
    target()->CreateDir(d);
  }
  void RemoveFile(const std::string& p) override {
    Step("remove " + p);
    target()->RemoveFile(p);
  }
  void RemoveDirRecursively(const std::string& d) override {
    Step("remove dir " + d);
    target()->RemoveDirRecursively(d);
  }
  void RenameFile(const std::string& s, const std::string& d) override {
    Step("rename " + s + " -> " + d);
    target()->RenameFile(s, d);
  }
  void TruncateFile(const std::string& p, std::uint64_t n) override {
    Step("truncate " + p);
    target()->TruncateFile(p, n);
  }
  void RewriteFileRange(const std::string& p, std::uint64_t offset,
                        std::string_view data) override {
    Step("rewrite " + p);
    target()->RewriteFileRange(p, offset, data);
  }
  void SyncDir(const std::string& d) override {
    Step("sync dir " + d);
    target()->SyncDir(d);
  }
  // MapReadOnly and NewRandomAccessFile keep Env's defaults, which read
  // through GetFileSize and NewSequentialFile: counted above.

 private:
  class File final : public nedb::WritableFile {
   public:
    File(FailNthCallEnv* env, std::string path, std::unique_ptr<nedb::WritableFile> base)
        : env_(env), path_(std::move(path)), base_(std::move(base)) {}
    void Append(std::string_view data) override {
      try {
        env_->Step("append to " + path_);
      } catch (const nedb::IOError&) {
        if (env_->calls_ == env_->nth_) base_->Append(data.substr(0, data.size() / 2));
        throw;
      }
      base_->Append(data);
    }
    void Sync() override {
      env_->Step("fsync " + path_);
      base_->Sync();
    }
    void Truncate(std::uint64_t size) override {
      env_->Step("truncate " + path_);
      base_->Truncate(size);
    }
    void Close() override {
      env_->Step("close " + path_);
      base_->Close();
    }

   private:
    FailNthCallEnv* env_;
    std::string path_;
    std::unique_ptr<nedb::WritableFile> base_;
  };

  class Reader final : public nedb::SequentialFile {
   public:
    Reader(FailNthCallEnv* env, std::string path, std::unique_ptr<nedb::SequentialFile> base)
        : env_(env), path_(std::move(path)), base_(std::move(base)) {}
    std::size_t Read(char* buf, std::size_t n) override {
      env_->Step("read " + path_);
      return base_->Read(buf, n);
    }

   private:
    FailNthCallEnv* env_;
    std::string path_;
    std::unique_ptr<nedb::SequentialFile> base_;
  };

  std::uint64_t nth_;
  bool crash_;
  std::uint64_t calls_ = 0;
  std::string failed_;
};

}  // namespace nedb_test

#endif  // NEDB_TESTS_FAULT_ENV_H_

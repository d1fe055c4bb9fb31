// SPDX-License-Identifier: Apache-2.0
// Env::NewMemEnv(): files and directories in memory, in the spirit of
// LevelDB's helpers/memenv. A name table (paths of files and directories)
// under one mutex; each file's bytes in fixed-size chunks under its own
// mutex, so appending never copies what is there and readers of one file
// never wait for the table. Paths are compared as given, after folding
// repeated and trailing slashes ("a//b/" is "a/b"); "", "." and "/" are
// directories that always exist. A WritableFile always appends at the
// file's end (as O_APPEND), also one from NewWritableFile.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "nedb/env.h"
#include "nedb/errors.h"

namespace nedb {
namespace {

[[noreturn]] void ThrowNoEntry(const std::string& what, const std::string& path) {
  throw IOError(what + " " + path + ": No such file or directory");
}

// The bytes of one file. Shared by the name table and every open handle, so
// a handle keeps working after its file is renamed or removed (as an open
// fd does). Thread-safe.
class MemFile {
 public:
  std::uint64_t Size() const {
    std::lock_guard<std::mutex> l(mu_);
    return size_;
  }

  void Append(std::string_view data) {
    std::lock_guard<std::mutex> l(mu_);
    AppendLocked(data.data(), data.size());
  }

  // Copies up to n bytes at offset into buf; returns how many.
  std::size_t Read(std::uint64_t offset, std::size_t n, char* buf) const {
    std::lock_guard<std::mutex> l(mu_);
    if (offset >= size_) return 0;
    if (n > size_ - offset) n = static_cast<std::size_t>(size_ - offset);
    for (std::size_t done = 0; done < n;) {
      const std::uint64_t at = offset + done;
      const std::size_t in_chunk = static_cast<std::size_t>(at % kChunk);
      const std::size_t k = std::min(n - done, kChunk - in_chunk);
      std::memcpy(buf + done, chunks_[at / kChunk].get() + in_chunk, k);
      done += k;
    }
    return n;
  }

  // Cuts the file to size bytes or extends it with zeros (ftruncate).
  void Resize(std::uint64_t size) {
    std::lock_guard<std::mutex> l(mu_);
    if (size <= size_) {
      size_ = size;
      chunks_.resize(static_cast<std::size_t>((size + kChunk - 1) / kChunk));
      return;
    }
    static const char kZeros[1024] = {};
    while (size_ < size) {
      AppendLocked(kZeros,
                   static_cast<std::size_t>(std::min<std::uint64_t>(size - size_, sizeof kZeros)));
    }
  }

  // Overwrites bytes inside the file; throws InvalidArgument past its end.
  void Overwrite(const std::string& path, std::uint64_t offset, std::string_view data) {
    std::lock_guard<std::mutex> l(mu_);
    if (offset > size_ || data.size() > size_ - offset) {
      throw InvalidArgument("rewrite of " + std::to_string(data.size()) + " bytes at offset " +
                            std::to_string(offset) + " past the end of " + path + " (" +
                            std::to_string(size_) + " bytes)");
    }
    for (std::size_t done = 0; done < data.size();) {
      const std::uint64_t at = offset + done;
      const std::size_t in_chunk = static_cast<std::size_t>(at % kChunk);
      const std::size_t k = std::min(data.size() - done, kChunk - in_chunk);
      std::memcpy(chunks_[at / kChunk].get() + in_chunk, data.data() + done, k);
      done += k;
    }
  }

 private:
  static constexpr std::size_t kChunk = 32 << 10;

  void AppendLocked(const char* p, std::size_t n) {
    while (n > 0) {
      const std::size_t in_chunk = static_cast<std::size_t>(size_ % kChunk);
      if (in_chunk == 0 && chunks_.size() == size_ / kChunk) {
        chunks_.push_back(std::make_unique<char[]>(kChunk));
      }
      const std::size_t k = std::min(n, kChunk - in_chunk);
      std::memcpy(chunks_[size_ / kChunk].get() + in_chunk, p, k);
      size_ += k;
      p += k;
      n -= k;
    }
  }

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<char[]>> chunks_;  // guarded by mu_; ceil(size_ / kChunk) of them
  std::uint64_t size_ = 0;                       // guarded by mu_
};

class MemWritableFile final : public WritableFile {
 public:
  MemWritableFile(std::string path, std::shared_ptr<MemFile> file)
      : path_(std::move(path)), file_(std::move(file)) {}
  void Append(std::string_view data) override {
    CheckOpen();
    file_->Append(data);
  }
  void Sync() override { CheckOpen(); }
  void Truncate(std::uint64_t size) override {
    CheckOpen();
    file_->Resize(size);
  }
  void Close() override { closed_.store(true); }

 private:
  void CheckOpen() const {
    if (closed_.load()) throw IOError("write " + path_ + ": file is closed");
  }

  const std::string path_;
  const std::shared_ptr<MemFile> file_;
  std::atomic<bool> closed_{false};
};

class MemSequentialFile final : public SequentialFile {
 public:
  explicit MemSequentialFile(std::shared_ptr<MemFile> file) : file_(std::move(file)) {}
  std::size_t Read(char* buf, std::size_t n) override {
    const std::size_t k = file_->Read(pos_, n, buf);
    pos_ += k;
    return k;
  }
  void Skip(std::uint64_t n) override { pos_ += n; }

 private:
  const std::shared_ptr<MemFile> file_;
  std::uint64_t pos_ = 0;
};

class MemRandomAccessFile final : public RandomAccessFile {
 public:
  explicit MemRandomAccessFile(std::shared_ptr<MemFile> file) : file_(std::move(file)) {}
  std::size_t Read(std::uint64_t offset, std::size_t n, char* buf) const override {
    return file_->Read(offset, n, buf);
  }

 private:
  const std::shared_ptr<MemFile> file_;
};

// The paths LockFile holds. Shared with the locks, which may be released
// after the Env is gone.
struct LockTable {
  std::mutex mu;
  std::set<std::string> held;  // guarded by mu
};

class MemFileLock final : public FileLock {
 public:
  MemFileLock(std::shared_ptr<LockTable> table, std::string path)
      : table_(std::move(table)), path_(std::move(path)) {}
  ~MemFileLock() override {
    std::lock_guard<std::mutex> l(table_->mu);
    table_->held.erase(path_);
  }

 private:
  std::shared_ptr<LockTable> table_;
  std::string path_;
};

std::string Normalize(const std::string& path) {
  std::string out;
  out.reserve(path.size());
  for (char c : path) {
    if (c == '/' && !out.empty() && out.back() == '/') continue;
    out.push_back(c);
  }
  if (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

std::string Parent(const std::string& path) {
  const std::size_t slash = path.rfind('/');
  if (slash == std::string::npos) return "";
  return slash == 0 ? "/" : path.substr(0, slash);
}

bool IsRoot(const std::string& dir) { return dir.empty() || dir == "." || dir == "/"; }

// What a child of dir starts with.
std::string ChildPrefix(const std::string& dir) {
  if (dir.empty() || dir == ".") return "";
  return dir == "/" ? "/" : dir + "/";
}

class MemEnv final : public Env {
 public:
  explicit MemEnv(Env* clock) : clock_(clock) {}

  std::unique_ptr<WritableFile> NewAppendableFile(const std::string& path) override {
    const std::string p = Normalize(path);
    return std::make_unique<MemWritableFile>(p, OpenForWrite(p, /*truncate=*/false));
  }
  std::unique_ptr<WritableFile> NewWritableFile(const std::string& path) override {
    const std::string p = Normalize(path);
    return std::make_unique<MemWritableFile>(p, OpenForWrite(p, /*truncate=*/true));
  }
  std::unique_ptr<SequentialFile> NewSequentialFile(const std::string& path) override {
    return std::make_unique<MemSequentialFile>(Find("open", path));
  }
  std::unique_ptr<RandomAccessFile> NewRandomAccessFile(const std::string& path) override {
    return std::make_unique<MemRandomAccessFile>(Find("open", path));
  }
  // MapReadOnly: Env's default, a copy read through NewSequentialFile.

  bool FileExists(const std::string& path) override {
    const std::string p = Normalize(path);
    std::lock_guard<std::mutex> l(mu_);
    return files_.count(p) > 0 || IsDirLocked(p);
  }
  std::uint64_t GetFileSize(const std::string& path) override { return Find("stat", path)->Size(); }
  std::vector<std::string> GetChildren(const std::string& dir) override {
    const std::string d = Normalize(dir);
    std::lock_guard<std::mutex> l(mu_);
    if (!IsDirLocked(d)) ThrowNoEntry("opendir", d);
    const std::string prefix = ChildPrefix(d);
    std::vector<std::string> out;
    auto add = [&](const std::string& p) {
      if (p.size() > prefix.size() && p.compare(0, prefix.size(), prefix) == 0 &&
          p.find('/', prefix.size()) == std::string::npos) {
        out.push_back(p.substr(prefix.size()));
      }
    };
    for (auto it = files_.lower_bound(prefix); it != files_.end(); ++it) {
      if (it->first.compare(0, prefix.size(), prefix) != 0) break;
      add(it->first);
    }
    for (auto it = dirs_.lower_bound(prefix); it != dirs_.end(); ++it) {
      if (it->compare(0, prefix.size(), prefix) != 0) break;
      add(*it);
    }
    return out;
  }
  void CreateDir(const std::string& dir) override {
    const std::string d = Normalize(dir);
    std::lock_guard<std::mutex> l(mu_);
    for (std::string p = d; !IsRoot(p); p = Parent(p)) {
      if (files_.count(p)) throw IOError("mkdir " + d + ": " + p + " is a file");
      dirs_.insert(p);
    }
  }
  void RemoveFile(const std::string& path) override {
    const std::string p = Normalize(path);
    std::lock_guard<std::mutex> l(mu_);
    if (files_.erase(p) == 0) ThrowNoEntry("unlink", p);
  }
  void RemoveDirRecursively(const std::string& dir) override {
    const std::string d = Normalize(dir);
    if (IsRoot(d)) throw IOError("remove " + d + ": refusing to remove a root");
    std::lock_guard<std::mutex> l(mu_);
    files_.erase(d);
    dirs_.erase(d);
    const std::string prefix = ChildPrefix(d);
    EraseUnder(&files_, prefix);
    EraseUnder(&dirs_, prefix);
  }
  void RenameFile(const std::string& src, const std::string& dst) override {
    const std::string s = Normalize(src), d = Normalize(dst);
    std::lock_guard<std::mutex> l(mu_);
    if (s == d) return;
    if (!IsDirLocked(Parent(d))) ThrowNoEntry("rename", s + " -> " + d);
    auto it = files_.find(s);
    if (it != files_.end()) {
      if (IsDirLocked(d)) throw IOError("rename " + s + " -> " + d + ": Is a directory");
      std::shared_ptr<MemFile> f = std::move(it->second);
      files_.erase(it);
      files_[d] = std::move(f);
      return;
    }
    if (IsRoot(s) || !dirs_.count(s)) ThrowNoEntry("rename", s + " -> " + d);
    if (files_.count(d)) throw IOError("rename " + s + " -> " + d + ": Not a directory");
    if (d.compare(0, s.size() + 1, s + "/") == 0) {
      throw IOError("rename " + s + " -> " + d + ": Invalid argument");
    }
    if (HasChildLocked(d)) throw IOError("rename " + s + " -> " + d + ": Directory not empty");
    // Move the directory and everything below it.
    const std::string from = s + "/", to = d + "/";
    std::map<std::string, std::shared_ptr<MemFile>> files;
    std::set<std::string> dirs;
    for (auto f = files_.lower_bound(from); f != files_.end() && f->first.starts_with(from);) {
      files[to + f->first.substr(from.size())] = std::move(f->second);
      f = files_.erase(f);
    }
    for (auto e = dirs_.lower_bound(from); e != dirs_.end() && e->starts_with(from);) {
      dirs.insert(to + e->substr(from.size()));
      e = dirs_.erase(e);
    }
    dirs_.erase(s);
    dirs_.insert(d);
    files_.merge(files);
    dirs_.merge(dirs);
  }
  void TruncateFile(const std::string& path, std::uint64_t size) override {
    Find("truncate", path)->Resize(size);
  }
  void RewriteFileRange(const std::string& path, std::uint64_t offset,
                        std::string_view data) override {
    Find("open", path)->Overwrite(Normalize(path), offset, data);
  }
  void SyncDir(const std::string& dir) override {
    const std::string d = Normalize(dir);
    std::lock_guard<std::mutex> l(mu_);
    if (!IsDirLocked(d)) ThrowNoEntry("open", d);
  }
  std::unique_ptr<FileLock> LockFile(const std::string& path) override {
    const std::string p = Normalize(path);
    OpenForWrite(p, /*truncate=*/false);  // created if missing, as on disk
    std::lock_guard<std::mutex> l(locks_->mu);
    if (!locks_->held.insert(p).second) {
      throw LockError("database is locked by another process or NEDB object: " + p);
    }
    return std::make_unique<MemFileLock>(locks_, p);
  }
  std::int64_t NowMicros() override { return clock_->NowMicros(); }

 private:
  bool IsDirLocked(const std::string& d) const { return IsRoot(d) || dirs_.count(d) > 0; }

  bool HasChildLocked(const std::string& dir) const {
    const std::string prefix = ChildPrefix(dir);
    auto f = files_.lower_bound(prefix);
    auto e = dirs_.lower_bound(prefix);
    return (f != files_.end() && f->first.starts_with(prefix)) ||
           (e != dirs_.end() && e->starts_with(prefix));
  }

  template <typename Container>
  static void EraseUnder(Container* c, const std::string& prefix) {
    auto it = c->lower_bound(prefix);
    auto end = it;
    while (end != c->end() && Key(*end).starts_with(prefix)) ++end;
    c->erase(it, end);
  }
  static const std::string& Key(const std::string& s) { return s; }
  static const std::string& Key(const std::pair<const std::string, std::shared_ptr<MemFile>>& p) {
    return p.first;
  }

  std::shared_ptr<MemFile> Find(const char* what, const std::string& path) {
    const std::string p = Normalize(path);
    std::lock_guard<std::mutex> l(mu_);
    auto it = files_.find(p);
    if (it == files_.end()) ThrowNoEntry(what, p);
    return it->second;
  }

  // The file at p, created if missing (its directory must exist), emptied
  // if truncate.
  std::shared_ptr<MemFile> OpenForWrite(const std::string& p, bool truncate) {
    std::shared_ptr<MemFile> f;
    {
      std::lock_guard<std::mutex> l(mu_);
      if (IsDirLocked(p)) throw IOError("open " + p + ": Is a directory");
      if (!IsDirLocked(Parent(p))) ThrowNoEntry("open", p);
      std::shared_ptr<MemFile>& slot = files_[p];
      if (!slot) slot = std::make_shared<MemFile>();
      f = slot;
    }
    if (truncate) f->Resize(0);
    return f;
  }

  Env* const clock_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<MemFile>> files_;  // guarded by mu_
  std::set<std::string> dirs_;                             // guarded by mu_; not the roots
  const std::shared_ptr<LockTable> locks_ = std::make_shared<LockTable>();
};

}  // namespace

std::unique_ptr<Env> Env::NewMemEnv(Env* clock) { return std::make_unique<MemEnv>(clock); }

}  // namespace nedb

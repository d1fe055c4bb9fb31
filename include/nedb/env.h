// Copyright (c) NEDB authors. The file-system seam.
// SPDX-License-Identifier: Apache-2.0
//
// Every file NEDB touches goes through an Env, so tests can substitute one
// that fails the Nth write, fails fsync, or cuts writes short. Errors are
// reported by throwing nedb::IOError. An Env is safe to use from several
// threads. On a WritableFile, Sync() may run in one thread while Append(),
// Truncate() or another Sync() runs in another (group commit); other calls
// are not concurrent. The Env must outlive the files it opens.
#ifndef NEDB_ENV_H_
#define NEDB_ENV_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace nedb {

// A file opened for appending.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Appends all of data or throws IOError. After a throw, an unknown prefix
  // of data may have reached the file: callers truncate back to Size().
  virtual void Append(std::string_view data) = 0;
  // Makes everything appended so far durable (fdatasync).
  virtual void Sync() = 0;
  // Cuts the file back to size bytes.
  virtual void Truncate(std::uint64_t size) = 0;
  virtual void Close() = 0;
};

// A file read from the start to the end.
class SequentialFile {
 public:
  virtual ~SequentialFile() = default;
  // Reads up to n bytes into buf; returns 0 at end of file.
  virtual std::size_t Read(char* buf, std::size_t n) = 0;
  // Skips n bytes (reading them by default; files override with a seek).
  virtual void Skip(std::uint64_t n) {
    char buf[1 << 14];
    while (n > 0) {
      std::size_t k = Read(buf, n < sizeof buf ? static_cast<std::size_t>(n) : sizeof buf);
      if (k == 0) return;
      n -= k;
    }
  }
};

// A file read at any offset.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to n bytes at offset into buf; returns the bytes read (fewer
  // only at the end of the file: 0 at or past it). Sees bytes appended to
  // the file after it was opened. Thread-safe (pread). Throws IOError.
  virtual std::size_t Read(std::uint64_t offset, std::size_t n, char* buf) const = 0;
};

// A whole file's bytes, read-only, valid for as long as this object lives:
// a read-only memory mapping of the file (PosixEnv), or a buffer the bytes
// were read into (Env::MapReadOnly's default). Nothing may write to data().
class ReadOnlyRegion {
 public:
  virtual ~ReadOnlyRegion() = default;
  virtual const char* data() const = 0;
  virtual std::size_t size() const = 0;
};

// Held while a database directory is open; released on destruction.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class Env {
 public:
  virtual ~Env() = default;
  // The process-wide POSIX Env. Never deleted.
  static Env* Default();

  // Opens path for appending, creating it if missing.
  virtual std::unique_ptr<WritableFile> NewAppendableFile(const std::string& path) = 0;
  // Creates or truncates path for writing.
  virtual std::unique_ptr<WritableFile> NewWritableFile(const std::string& path) = 0;
  virtual std::unique_ptr<SequentialFile> NewSequentialFile(const std::string& path) = 0;
  // Opens path for reads at any offset. The default reads through
  // NewSequentialFile() and SequentialFile::Skip() (so an Env that overrides
  // those, e.g. to inject faults, sees the opens and the reads), opening the
  // file again to go back; PosixEnv uses pread. Throws IOError.
  virtual std::unique_ptr<RandomAccessFile> NewRandomAccessFile(const std::string& path);
  // The whole of path, read-only. The default reads it into a buffer through
  // GetFileSize() and NewSequentialFile() (so an Env that overrides those,
  // e.g. to inject faults, sees the open and the reads); PosixEnv maps the
  // file instead (mmap), so nothing is copied. A mapping stays valid after
  // the file is renamed over or unlinked, but the file must not be truncated
  // or written in place while it is mapped. Throws IOError.
  virtual std::unique_ptr<ReadOnlyRegion> MapReadOnly(const std::string& path);

  virtual bool FileExists(const std::string& path) = 0;
  virtual std::uint64_t GetFileSize(const std::string& path) = 0;
  virtual std::vector<std::string> GetChildren(const std::string& dir) = 0;
  // Creates dir and missing parents; no error if it exists.
  virtual void CreateDir(const std::string& dir) = 0;
  virtual void RemoveFile(const std::string& path) = 0;
  // Removes dir and everything below it.
  virtual void RemoveDirRecursively(const std::string& dir) = 0;
  // Atomic replace of dst by src (rename(2)).
  virtual void RenameFile(const std::string& src, const std::string& dst) = 0;
  virtual void TruncateFile(const std::string& path, std::uint64_t size) = 0;
  // Overwrites data.size() bytes of path at offset in place and makes them
  // durable (fdatasync) before it returns. Never changes the file's size:
  // throws InvalidArgument if offset + data.size() is past its end. Used to
  // erase payloads from the log. The default throws NotSupported.
  virtual void RewriteFileRange(const std::string& path, std::uint64_t offset,
                                std::string_view data);
  // fsync of a directory, so a create or rename in it is durable.
  virtual void SyncDir(const std::string& dir) = 0;
  // Takes an exclusive lock on path (created if missing). Throws LockError
  // if another process or another open database holds it.
  virtual std::unique_ptr<FileLock> LockFile(const std::string& path) = 0;

  // Wall clock in microseconds since the Unix epoch. Tests override it.
  virtual std::int64_t NowMicros() = 0;

  // A new Env that keeps its files and directories in memory (nothing
  // touches the disk): the in-memory database's log lives in one. Every call
  // works as on PosixEnv: a parent directory must exist (CreateDir) before a
  // file is created in it; an open file keeps working after it is renamed
  // or removed; LockFile is exclusive per path within this Env; Sync and
  // SyncDir do nothing; MapReadOnly copies. NowMicros() is clock's.
  // Thread-safe like every Env; the files it opens must not outlive it.
  static std::unique_ptr<Env> NewMemEnv(Env* clock = Env::Default());
};

// Forwards every call to a target Env; subclass it and override one call to
// inject a fault (see tests/fault_env.h). MapReadOnly and
// NewRandomAccessFile are the exceptions: they are not forwarded but keep
// Env's defaults (read through this Env's GetFileSize and
// NewSequentialFile), so a subclass's overrides of those apply to them too.
// A wrapper that wants the target's mapping or pread overrides them to call
// the target's.
class EnvWrapper : public Env {
 public:
  explicit EnvWrapper(Env* target) : target_(target) {}
  Env* target() const { return target_; }

  std::unique_ptr<WritableFile> NewAppendableFile(const std::string& p) override {
    return target_->NewAppendableFile(p);
  }
  std::unique_ptr<WritableFile> NewWritableFile(const std::string& p) override {
    return target_->NewWritableFile(p);
  }
  std::unique_ptr<SequentialFile> NewSequentialFile(const std::string& p) override {
    return target_->NewSequentialFile(p);
  }
  bool FileExists(const std::string& p) override { return target_->FileExists(p); }
  std::uint64_t GetFileSize(const std::string& p) override { return target_->GetFileSize(p); }
  std::vector<std::string> GetChildren(const std::string& d) override {
    return target_->GetChildren(d);
  }
  void CreateDir(const std::string& d) override { target_->CreateDir(d); }
  void RemoveFile(const std::string& p) override { target_->RemoveFile(p); }
  void RemoveDirRecursively(const std::string& d) override { target_->RemoveDirRecursively(d); }
  void RenameFile(const std::string& s, const std::string& d) override {
    target_->RenameFile(s, d);
  }
  void TruncateFile(const std::string& p, std::uint64_t n) override { target_->TruncateFile(p, n); }
  void RewriteFileRange(const std::string& p, std::uint64_t offset,
                        std::string_view data) override {
    target_->RewriteFileRange(p, offset, data);
  }
  void SyncDir(const std::string& d) override { target_->SyncDir(d); }
  std::unique_ptr<FileLock> LockFile(const std::string& p) override { return target_->LockFile(p); }
  std::int64_t NowMicros() override { return target_->NowMicros(); }

 private:
  Env* target_;
};

}  // namespace nedb

#endif  // NEDB_ENV_H_

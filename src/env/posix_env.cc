// SPDX-License-Identifier: Apache-2.0
// The POSIX Env: the only code in NEDB that calls the file system directly.
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <limits>
#include <mutex>

#include "nedb/env.h"
#include "nedb/errors.h"

namespace nedb {
namespace {

[[noreturn]] void ThrowErrno(const std::string& what, const std::string& path, int err) {
  throw IOError(what + " " + path + ": " + std::strerror(err));
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  void Append(std::string_view data) override {
    const char* p = data.data();
    std::size_t left = data.size();
    while (left > 0) {
      ssize_t n = ::write(fd_, p, left);
      if (n < 0) {
        if (errno == EINTR) continue;
        ThrowErrno("write", path_, errno);
      }
      p += n;
      left -= static_cast<std::size_t>(n);
    }
  }

  void Sync() override {
    if (::fdatasync(fd_) != 0) ThrowErrno("fdatasync", path_, errno);
  }

  void Truncate(std::uint64_t size) override {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) ThrowErrno("ftruncate", path_, errno);
  }

  void Close() override {
    if (fd_ >= 0) {
      int fd = fd_;
      fd_ = -1;
      if (::close(fd) != 0) ThrowErrno("close", path_, errno);
    }
  }

 private:
  std::string path_;
  int fd_;
};

class PosixSequentialFile final : public SequentialFile {
 public:
  PosixSequentialFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixSequentialFile() override { ::close(fd_); }
  void Skip(std::uint64_t n) override {
    if (::lseek(fd_, static_cast<off_t>(n), SEEK_CUR) < 0) ThrowErrno("lseek", path_, errno);
  }
  std::size_t Read(char* buf, std::size_t n) override {
    for (;;) {
      ssize_t r = ::read(fd_, buf, n);
      if (r >= 0) return static_cast<std::size_t>(r);
      if (errno != EINTR) ThrowErrno("read", path_, errno);
    }
  }

 private:
  std::string path_;
  int fd_;
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }
  std::size_t Read(std::uint64_t offset, std::size_t n, char* buf) const override {
    std::size_t got = 0;
    while (got < n) {
      ssize_t r = ::pread(fd_, buf + got, n - got, static_cast<off_t>(offset + got));
      if (r < 0) {
        if (errno == EINTR) continue;
        ThrowErrno("pread", path_, errno);
      }
      if (r == 0) break;
      got += static_cast<std::size_t>(r);
    }
    return got;
  }

 private:
  std::string path_;
  int fd_;
};

// Env::NewRandomAccessFile's default: a SequentialFile of this Env, skipped
// forward to each offset and opened again to go back (or after reaching the
// end, where a Skip may have stopped short of a file that has grown since).
class SequentialRandomAccessFile final : public RandomAccessFile {
 public:
  SequentialRandomAccessFile(Env* env, std::string path, std::unique_ptr<SequentialFile> file)
      : env_(env), path_(std::move(path)), file_(std::move(file)) {}
  std::size_t Read(std::uint64_t offset, std::size_t n, char* buf) const override {
    std::lock_guard<std::mutex> l(mu_);
    try {
      if (!file_ || offset < pos_) {
        file_ = env_->NewSequentialFile(path_);
        pos_ = 0;
      }
      if (offset > pos_) {
        file_->Skip(offset - pos_);
        pos_ = offset;
      }
      std::size_t got = 0;
      while (got < n) {
        const std::size_t k = file_->Read(buf + got, n - got);
        if (k == 0) break;
        got += k;
      }
      pos_ += got;
      if (got < n) file_.reset();
      return got;
    } catch (...) {
      file_.reset();  // where it stands is unknown
      throw;
    }
  }

 private:
  Env* const env_;
  const std::string path_;
  mutable std::mutex mu_;
  mutable std::unique_ptr<SequentialFile> file_;  // guarded by mu_; null: open again
  mutable std::uint64_t pos_ = 0;                 // guarded by mu_: file_'s position
};

// Env::MapReadOnly's default: the bytes read into a buffer.
class HeapRegion final : public ReadOnlyRegion {
 public:
  explicit HeapRegion(std::size_t size) : data_(new char[size > 0 ? size : 1]), size_(size) {}
  const char* data() const override { return data_.get(); }
  std::size_t size() const override { return size_; }
  char* mutable_data() { return data_.get(); }

 private:
  std::unique_ptr<char[]> data_;  // not zeroed: every byte is read into
  std::size_t size_;
};

// A read-only private mapping of a whole file, unmapped on destruction.
class MappedRegion final : public ReadOnlyRegion {
 public:
  MappedRegion(void* addr, std::size_t size) : addr_(addr), size_(size) {}
  ~MappedRegion() override { ::munmap(addr_, size_); }
  const char* data() const override { return static_cast<const char*>(addr_); }
  std::size_t size() const override { return size_; }

 private:
  void* addr_;
  std::size_t size_;
};

std::size_t CheckedSize(std::uint64_t size, const std::string& path) {
  if (size > std::numeric_limits<std::size_t>::max() / 2) {
    throw IOError(path + " is too large to map (" + std::to_string(size) + " bytes)");
  }
  return static_cast<std::size_t>(size);
}

class PosixFileLock final : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  ~PosixFileLock() override {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }

 private:
  int fd_;
};

class PosixEnv final : public Env {
 public:
  std::unique_ptr<WritableFile> NewAppendableFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) ThrowErrno("open", path, errno);
    return std::make_unique<PosixWritableFile>(path, fd);
  }
  std::unique_ptr<WritableFile> NewWritableFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) ThrowErrno("open", path, errno);
    return std::make_unique<PosixWritableFile>(path, fd);
  }
  std::unique_ptr<SequentialFile> NewSequentialFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) ThrowErrno("open", path, errno);
    return std::make_unique<PosixSequentialFile>(path, fd);
  }
  std::unique_ptr<RandomAccessFile> NewRandomAccessFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) ThrowErrno("open", path, errno);
    return std::make_unique<PosixRandomAccessFile>(path, fd);
  }
  std::unique_ptr<ReadOnlyRegion> MapReadOnly(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) ThrowErrno("open", path, errno);
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      ThrowErrno("fstat", path, err);
    }
    std::size_t size;
    try {
      size = CheckedSize(static_cast<std::uint64_t>(st.st_size), path);
    } catch (...) {
      ::close(fd);
      throw;
    }
    // An empty file cannot be mapped (EINVAL); an empty buffer says the same.
    void* addr = size == 0 ? MAP_FAILED
                           : ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    ::close(fd);  // the mapping keeps the file open
    // A file system that cannot map (or no address space): read it instead.
    if (addr == MAP_FAILED) return Env::MapReadOnly(path);
    return std::make_unique<MappedRegion>(addr, size);
  }
  bool FileExists(const std::string& path) override { return ::access(path.c_str(), F_OK) == 0; }
  std::uint64_t GetFileSize(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) ThrowErrno("stat", path, errno);
    return static_cast<std::uint64_t>(st.st_size);
  }
  std::vector<std::string> GetChildren(const std::string& dir) override {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) ThrowErrno("opendir", dir, errno);
    std::vector<std::string> out;
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") out.push_back(std::move(name));
    }
    ::closedir(d);
    return out;
  }
  void CreateDir(const std::string& dir) override {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw IOError("mkdir " + dir + ": " + ec.message());
  }
  void RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) ThrowErrno("unlink", path, errno);
  }
  void RemoveDirRecursively(const std::string& dir) override {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
    if (ec) throw IOError("remove " + dir + ": " + ec.message());
  }
  void RenameFile(const std::string& src, const std::string& dst) override {
    if (::rename(src.c_str(), dst.c_str()) != 0) ThrowErrno("rename", src + " -> " + dst, errno);
  }
  void TruncateFile(const std::string& path, std::uint64_t size) override {
    if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) {
      ThrowErrno("truncate", path, errno);
    }
  }
  void RewriteFileRange(const std::string& path, std::uint64_t offset,
                        std::string_view data) override {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) ThrowErrno("open", path, errno);
    struct FdCloser {
      int fd;
      ~FdCloser() { ::close(fd); }
    } closer{fd};
    struct stat st;
    if (::fstat(fd, &st) != 0) ThrowErrno("fstat", path, errno);
    const auto size = static_cast<std::uint64_t>(st.st_size);
    if (offset > size || data.size() > size - offset) {
      throw InvalidArgument("rewrite of " + std::to_string(data.size()) + " bytes at offset " +
                            std::to_string(offset) + " past the end of " + path + " (" +
                            std::to_string(size) + " bytes)");
    }
    std::size_t done = 0;
    while (done < data.size()) {
      ssize_t n =
          ::pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(offset + done));
      if (n < 0) {
        if (errno == EINTR) continue;
        ThrowErrno("pwrite", path, errno);
      }
      done += static_cast<std::size_t>(n);
    }
    if (::fdatasync(fd) != 0) ThrowErrno("fdatasync", path, errno);
  }
  void SyncDir(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) ThrowErrno("open", dir, errno);
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) ThrowErrno("fsync", dir, err);
  }
  std::unique_ptr<FileLock> LockFile(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) ThrowErrno("open", path, errno);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      int err = errno;
      ::close(fd);
      if (err == EWOULDBLOCK) {
        throw LockError("database is locked by another process or NEDB object: " + path);
      }
      ThrowErrno("flock", path, err);
    }
    return std::make_unique<PosixFileLock>(fd);
  }
  std::int64_t NowMicros() override {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  }
};

}  // namespace

std::unique_ptr<ReadOnlyRegion> Env::MapReadOnly(const std::string& path) {
  const std::size_t size = CheckedSize(GetFileSize(path), path);
  auto region = std::make_unique<HeapRegion>(size);
  auto file = NewSequentialFile(path);
  char* const data = region->mutable_data();
  std::size_t have = 0;
  while (have < size) {
    const std::size_t k = file->Read(data + have, size - have);
    if (k == 0) throw IOError(path + " is shorter than its size (changed while read)");
    have += k;
  }
  return region;
}

std::unique_ptr<RandomAccessFile> Env::NewRandomAccessFile(const std::string& path) {
  auto file = NewSequentialFile(path);  // fails now if path cannot be opened
  return std::make_unique<SequentialRandomAccessFile>(this, path, std::move(file));
}

void Env::RewriteFileRange(const std::string& path, std::uint64_t, std::string_view) {
  throw NotSupported("this Env cannot rewrite files in place (" + path + ")");
}

Env* Env::Default() {
  static PosixEnv* env = new PosixEnv();  // never deleted: used until exit
  return env;
}

}  // namespace nedb

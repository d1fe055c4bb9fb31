// SPDX-License-Identifier: Apache-2.0
// The Env calls the v2 log needs: random-access reads (PosixEnv's pread,
// Env's default through SequentialFile, the MemEnv), RewriteFileRange, and
// the in-memory Env as a whole.
#include "nedb/env.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <random>
#include <thread>

#include "clock_env.h"
#include "nedb/errors.h"
#include "test_util.h"

namespace nedb {
namespace {

using nedb::test::TempDir;

// Keeps Env's defaults for NewRandomAccessFile (as every EnvWrapper) and for
// RewriteFileRange (which EnvWrapper forwards).
class DefaultsEnv : public EnvWrapper {
 public:
  explicit DefaultsEnv(Env* target) : EnvWrapper(target) {}
  void RewriteFileRange(const std::string& p, std::uint64_t offset,
                        std::string_view data) override {
    Env::RewriteFileRange(p, offset, data);
  }
};

std::string Pattern(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

std::string ReadAt(const RandomAccessFile& f, std::uint64_t offset, std::size_t n) {
  std::string buf(n, '\0');
  buf.resize(f.Read(offset, n, buf.data()));
  return buf;
}

std::string ReadAll(Env* env, const std::string& path) {
  auto region = env->MapReadOnly(path);
  return std::string(region->data(), region->size());
}

// Each test runs on PosixEnv, on a MemEnv, and on a wrapper of each (Env's
// default NewRandomAccessFile).
class EnvTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    const std::string kind = GetParam();
    if (kind.starts_with("mem")) {
      mem_ = Env::NewMemEnv();
      base_ = mem_.get();
      dir_ = "/mem/test";
      base_->CreateDir(dir_);
    } else {
      base_ = Env::Default();
      dir_ = tmp_.path();
    }
    if (kind.ends_with("wrapped")) {
      wrapper_ = std::make_unique<EnvWrapper>(base_);
      env_ = wrapper_.get();
    } else {
      env_ = base_;
    }
  }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  void Write(const std::string& name, const std::string& data) {
    auto f = env_->NewWritableFile(Path(name));
    f->Append(data);
    f->Close();
  }

  TempDir tmp_;
  std::unique_ptr<Env> mem_;
  std::unique_ptr<EnvWrapper> wrapper_;
  Env* base_ = nullptr;
  Env* env_ = nullptr;
  std::string dir_;
};

INSTANTIATE_TEST_SUITE_P(Envs, EnvTest,
                         ::testing::Values("posix", "posix_wrapped", "mem", "mem_wrapped"));

TEST_P(EnvTest, RandomAccessReadsMatchTheContent) {
  const std::string content = Pattern(200'000, 1);  // several MemEnv chunks
  Write("f", content);
  auto f = env_->NewRandomAccessFile(Path("f"));
  std::mt19937_64 rng(2);
  for (int i = 0; i < 300; i++) {
    const std::uint64_t offset = rng() % (content.size() + 100);
    const std::size_t n = rng() % 70'000;
    const std::string want =
        offset >= content.size() ? "" : content.substr(static_cast<std::size_t>(offset), n);
    ASSERT_EQ(ReadAt(*f, offset, n), want) << "offset " << offset << " n " << n;
  }
  EXPECT_EQ(ReadAt(*f, 0, content.size()), content);
  EXPECT_EQ(ReadAt(*f, content.size(), 10), "");
  EXPECT_EQ(ReadAt(*f, content.size() + 5000, 10), "");
  // Bytes appended after the open are seen, also after a read at the end.
  auto w = env_->NewAppendableFile(Path("f"));
  w->Append("tail");
  EXPECT_EQ(ReadAt(*f, content.size() - 2, 10), content.substr(content.size() - 2) + "tail");
  EXPECT_EQ(ReadAt(*f, 3, 4), content.substr(3, 4));  // backwards again
  EXPECT_THROW(env_->NewRandomAccessFile(Path("missing")), IOError);
}

TEST_P(EnvTest, RewriteFileRangeOverwritesInPlace) {
  std::string content = Pattern(100'000, 3);
  Write("f", content);
  auto reader = env_->NewRandomAccessFile(Path("f"));
  const std::string patch = Pattern(40'000, 4);  // across MemEnv chunk boundaries
  env_->RewriteFileRange(Path("f"), 30'000, patch);
  content.replace(30'000, patch.size(), patch);
  EXPECT_EQ(ReadAll(env_, Path("f")), content);
  EXPECT_EQ(ReadAt(*reader, 29'990, 40'020), content.substr(29'990, 40'020));
  env_->RewriteFileRange(Path("f"), content.size() - 3, "xyz");  // up to the end exactly
  env_->RewriteFileRange(Path("f"), content.size(), "");
  content.replace(content.size() - 3, 3, "xyz");
  EXPECT_EQ(ReadAll(env_, Path("f")), content);
  // Never extends the file.
  EXPECT_THROW(env_->RewriteFileRange(Path("f"), content.size() - 2, "xyz"), InvalidArgument);
  EXPECT_THROW(env_->RewriteFileRange(Path("f"), content.size() + 1, ""), InvalidArgument);
  EXPECT_THROW(env_->RewriteFileRange(Path("f"), ~std::uint64_t{0}, "a"), InvalidArgument);
  EXPECT_EQ(env_->GetFileSize(Path("f")), content.size());
  EXPECT_EQ(ReadAll(env_, Path("f")), content);
  EXPECT_THROW(env_->RewriteFileRange(Path("missing"), 0, ""), IOError);
  // An Env that does not implement it says so.
  DefaultsEnv defaults(env_);
  EXPECT_THROW(defaults.RewriteFileRange(Path("f"), 0, "a"), NotSupported);
  EXPECT_EQ(ReadAll(env_, Path("f")), content);
}

// One thread appends while others read what it has appended so far.
TEST_P(EnvTest, ConcurrentReadsWhileAppending) {
  const std::string content = Pattern(1 << 20, 5);
  auto w = env_->NewWritableFile(Path("f"));
  auto f = env_->NewRandomAccessFile(Path("f"));
  std::atomic<std::size_t> published{0};
  std::atomic<bool> done{false};
  std::atomic<int> checked{0};
  std::atomic<bool> failed{false};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; t++) {
    readers.emplace_back([&, t] {
      std::mt19937_64 rng(static_cast<std::uint64_t>(t));
      while (!done.load()) {
        const std::size_t size = published.load();
        if (size == 0) continue;
        const std::size_t offset = rng() % size;
        const std::size_t n = std::min<std::size_t>(rng() % 5000, size - offset);
        if (ReadAt(*f, offset, n) != content.substr(offset, n)) {
          ADD_FAILURE() << "offset " << offset << " n " << n;
          failed.store(true);
          return;
        }
        checked++;
      }
    });
  }
  std::mt19937_64 rng(6);
  for (std::size_t at = 0; at < content.size();) {
    const std::size_t n = std::min<std::size_t>(1 + rng() % 3000, content.size() - at);
    w->Append(std::string_view(content).substr(at, n));
    at += n;
    published.store(at);
  }
  while (checked.load() < 200 && !failed.load()) std::this_thread::yield();
  done.store(true);
  for (auto& t : readers) t.join();
  w->Close();
  EXPECT_EQ(ReadAll(env_, Path("f")), content);
}

// The MemEnv alone: the name space, truncation, locks, the clock.
class MemEnvTest : public ::testing::Test {
 protected:
  MemEnvTest() : env_(Env::NewMemEnv(&clock_)) {}
  void Write(const std::string& path, const std::string& data) {
    auto f = env_->NewWritableFile(path);
    f->Append(data);
    f->Close();
  }
  std::vector<std::string> Children(const std::string& dir) {
    auto c = env_->GetChildren(dir);
    std::sort(c.begin(), c.end());
    return c;
  }

  nedb::test::ClockEnv clock_{1'234'567};
  std::unique_ptr<Env> env_;
};

TEST_F(MemEnvTest, DirectoriesAndChildren) {
  EXPECT_THROW(env_->NewWritableFile("/a/f"), IOError);  // no directory /a
  EXPECT_THROW(env_->GetChildren("/a"), IOError);
  EXPECT_THROW(env_->SyncDir("/a"), IOError);
  env_->CreateDir("/a/b/c");
  env_->CreateDir("/a/b");  // exists: no error
  EXPECT_TRUE(env_->FileExists("/a"));
  EXPECT_TRUE(env_->FileExists("/a/b/"));
  Write("/a/f1", "1");
  Write("/a//f2", "22");
  Write("/a/b/f3", "333");
  Write("/ab", "x");  // a sibling whose name starts like /a
  EXPECT_EQ(Children("/a"), (std::vector<std::string>{"b", "f1", "f2"}));
  EXPECT_EQ(Children("/a/b"), (std::vector<std::string>{"c", "f3"}));
  EXPECT_EQ(Children("/a/b/c"), std::vector<std::string>{});
  EXPECT_EQ(Children("/"), (std::vector<std::string>{"a", "ab"}));
  env_->SyncDir("/a/b");
  EXPECT_THROW(env_->CreateDir("/a/f1/x"), IOError);     // a file on the way
  EXPECT_THROW(env_->NewWritableFile("/a/b"), IOError);  // a directory
  EXPECT_EQ(env_->GetFileSize("/a/f2"), 2u);
  EXPECT_THROW(env_->GetFileSize("/a/b/none"), IOError);
  EXPECT_THROW(env_->RemoveFile("/a/none"), IOError);
  env_->RemoveFile("/a/f1");
  EXPECT_FALSE(env_->FileExists("/a/f1"));
  env_->RemoveDirRecursively("/a");
  EXPECT_FALSE(env_->FileExists("/a"));
  EXPECT_FALSE(env_->FileExists("/a/b/f3"));
  EXPECT_TRUE(env_->FileExists("/ab"));
  env_->RemoveDirRecursively("/a");  // missing: no error
  // Relative paths live in a directory of their own, which always exists.
  Write("rel", "r");
  EXPECT_EQ(Children(""), std::vector<std::string>{"rel"});
  EXPECT_EQ(Children("/"), std::vector<std::string>{"ab"});
}

TEST_F(MemEnvTest, RenameKeepsOpenFilesAndReplaces) {
  env_->CreateDir("/d");
  Write("/d/old", "old bytes");
  Write("/d/other", "other");
  auto w = env_->NewAppendableFile("/d/old");
  auto r = env_->NewRandomAccessFile("/d/old");
  env_->RenameFile("/d/old", "/d/other");  // replaces other
  EXPECT_FALSE(env_->FileExists("/d/old"));
  w->Append("+");  // the open file is the renamed one
  EXPECT_EQ(ReadAll(env_.get(), "/d/other"), "old bytes+");
  EXPECT_EQ(ReadAt(*r, 0, 100), "old bytes+");
  env_->RemoveFile("/d/other");
  EXPECT_EQ(ReadAt(*r, 4, 100), "bytes+");  // as an open fd of an unlinked file
  EXPECT_THROW(env_->RenameFile("/d/none", "/d/x"), IOError);
  EXPECT_THROW(env_->RenameFile("/d/x", "/nodir/x"), IOError);
  // A directory moves with everything below it.
  env_->CreateDir("/d/sub/deep");
  Write("/d/sub/deep/f", "f");
  Write("/d/top", "t");
  env_->RenameFile("/d", "/e");
  EXPECT_FALSE(env_->FileExists("/d"));
  EXPECT_EQ(ReadAll(env_.get(), "/e/sub/deep/f"), "f");
  EXPECT_EQ(Children("/e"), (std::vector<std::string>{"sub", "top"}));
  env_->CreateDir("/full");
  Write("/full/x", "x");
  EXPECT_THROW(env_->RenameFile("/e", "/full"), IOError);  // not empty
  EXPECT_THROW(env_->RenameFile("/e", "/e/sub/in"), IOError);
}

TEST_F(MemEnvTest, TruncateAndWritableFiles) {
  env_->CreateDir("/t");
  const std::string content = Pattern(100'000, 7);
  Write("/t/f", content);
  env_->TruncateFile("/t/f", 40'000);
  EXPECT_EQ(ReadAll(env_.get(), "/t/f"), content.substr(0, 40'000));
  env_->TruncateFile("/t/f", 50'000);  // extends with zeros, not the old bytes
  EXPECT_EQ(ReadAll(env_.get(), "/t/f"), content.substr(0, 40'000) + std::string(10'000, '\0'));
  EXPECT_THROW(env_->TruncateFile("/t/none", 0), IOError);
  auto w = env_->NewAppendableFile("/t/f");  // appends at the end
  w->Append("end");
  w->Truncate(3);
  w->Append("+");
  EXPECT_EQ(ReadAll(env_.get(), "/t/f"), content.substr(0, 3) + "+");
  w->Sync();
  w->Close();
  EXPECT_THROW(w->Append("x"), IOError);
  Write("/t/f", "new");  // NewWritableFile empties it
  EXPECT_EQ(ReadAll(env_.get(), "/t/f"), "new");
  auto s = env_->NewSequentialFile("/t/f");
  s->Skip(1);
  char buf[8];
  EXPECT_EQ(s->Read(buf, sizeof buf), 2u);
  EXPECT_EQ(std::string(buf, 2), "ew");
  EXPECT_EQ(s->Read(buf, sizeof buf), 0u);
  EXPECT_THROW(env_->NewSequentialFile("/t/none"), IOError);
}

TEST_F(MemEnvTest, LocksAreExclusivePerPathAndTheClockIsGiven) {
  env_->CreateDir("/db");
  {
    auto lock = env_->LockFile("/db/LOCK");
    EXPECT_TRUE(env_->FileExists("/db/LOCK"));
    EXPECT_THROW(env_->LockFile("/db/LOCK"), LockError);
    auto other = env_->LockFile("/db/LOCK2");
    // Another MemEnv is another file system.
    auto env2 = Env::NewMemEnv();
    env2->CreateDir("/db");
    auto lock2 = env2->LockFile("/db/LOCK");
  }
  auto again = env_->LockFile("/db/LOCK");  // released
  EXPECT_THROW(env_->LockFile("/nodir/LOCK"), IOError);
  EXPECT_EQ(env_->NowMicros(), 1'234'567);
  clock_.Advance(1);
  EXPECT_EQ(env_->NowMicros(), 2'234'567);
}

}  // namespace
}  // namespace nedb

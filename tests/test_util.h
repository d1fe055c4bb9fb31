// SPDX-License-Identifier: Apache-2.0
// Helpers shared by tests: temporary directories and file access.
#ifndef NEDB_TESTS_TEST_UTIL_H_
#define NEDB_TESTS_TEST_UTIL_H_

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace nedb::test {

// A fresh directory under the build tree's tmp (or $TMPDIR), removed on exit.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string root = base ? base : "/tmp";
    static int counter = 0;
    path_ = root + "/nedb-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A TempDir for one database: db() and its log().
class DbDir : public TempDir {
 public:
  std::string db() const { return sub("db"); }
  std::string log() const { return sub("db/log.aof"); }
};

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

}  // namespace nedb::test

#endif  // NEDB_TESTS_TEST_UTIL_H_

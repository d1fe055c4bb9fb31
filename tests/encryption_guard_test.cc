// SPDX-License-Identifier: Apache-2.0
// Fail closed on keys (issue 13): until encryption at rest exists, a durable
// database given a key refuses to open and writes nothing.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "nedb/nedb.h"
#include "test_util.h"

namespace nedb {
namespace {

// Sets an environment variable for the scope of one test.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~ScopedEnv() { ::unsetenv(name_); }

 private:
  const char* name_;
};

TEST(EncryptionGuardTest, NoKeyNoRefusal) {
  ::unsetenv("NEDB_TMK");
  ::unsetenv("NEDB_TMK_FILE");
  EXPECT_EQ(EncryptionRefusal(), "");
  test::TempDir dir;
  NEDB db(dir.sub("db"), Options{.sync = Sync::None});
  db.put("users", "u1", {{"a", 1}});
  EXPECT_EQ(db.seq(), 1u);
}

void ExpectRefusedAndNothingWritten(const Options& options, const std::string& source) {
  test::TempDir dir;
  const std::string path = dir.sub("db");
  try {
    NEDB db(path, options);
    FAIL() << "opened with " << source;
  } catch (const NotSupported& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("encryption at rest is not available"), std::string::npos) << what;
    EXPECT_NE(what.find(source), std::string::npos) << what;
  }
  EXPECT_FALSE(std::filesystem::exists(path)) << "the refused open created " << path;
}

TEST(EncryptionGuardTest, OptionsKeyRefused) {
  ExpectRefusedAndNothingWritten(Options{.sync = Sync::None, .tmk = std::string(32, 'k')},
                                 "Options::tmk");
}

TEST(EncryptionGuardTest, EnvironmentKeyRefused) {
  ScopedEnv tmk("NEDB_TMK", "00112233445566778899aabbccddeeff");
  ExpectRefusedAndNothingWritten(Options{.sync = Sync::None}, "NEDB_TMK");
}

TEST(EncryptionGuardTest, EmptyEnvironmentKeyStillRefused) {
  ScopedEnv tmk("NEDB_TMK", "");
  ExpectRefusedAndNothingWritten(Options{.sync = Sync::None}, "NEDB_TMK");
}

TEST(EncryptionGuardTest, KeyFileRefused) {
  ScopedEnv tmk("NEDB_TMK_FILE", "/nonexistent/key");
  ExpectRefusedAndNothingWritten(Options{.sync = Sync::None}, "NEDB_TMK_FILE");
}

// An existing database is left byte for byte as it was.
TEST(EncryptionGuardTest, ExistingDatabaseUntouched) {
  test::TempDir dir;
  const std::string path = dir.sub("db");
  {
    NEDB db(path, Options{.sync = Sync::None});
    db.put("users", "u1", {{"secret", "canary"}});
  }
  const std::string log_before = test::ReadFile(path + "/log.aof");
  {
    ScopedEnv tmk("NEDB_TMK", "abcd");
    EXPECT_THROW(NEDB(path, Options{.sync = Sync::None}), NotSupported);
  }
  EXPECT_EQ(test::ReadFile(path + "/log.aof"), log_before);
  NEDB db(path, Options{.sync = Sync::None});  // without the key it opens as before
  EXPECT_EQ(db.get("users", "u1")->at("secret"), "canary");
}

// The in-memory database writes nothing anywhere, so a key in the
// environment does not stop it.
TEST(EncryptionGuardTest, InMemoryUnaffected) {
  ScopedEnv tmk("NEDB_TMK", "abcd");
  NEDB db;
  db.put("users", "u1", {{"a", 1}});
  EXPECT_EQ(db.seq(), 1u);
}

}  // namespace
}  // namespace nedb

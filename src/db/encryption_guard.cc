// SPDX-License-Identifier: Apache-2.0
// Fail closed on keys: until encryption at rest exists, a key given by the
// caller or the environment stops a durable database from opening, so no
// document meant to be encrypted is written in plain text.
#include <cstdlib>

#include "nedb/nedb.h"

namespace nedb {

std::string EncryptionRefusal(const Options& options) {
  const char* source = nullptr;
  if (options.tmk.has_value()) {
    source = "Options::tmk is set";
  } else if (std::getenv("NEDB_TMK") != nullptr) {
    source = "NEDB_TMK is set";
  } else if (std::getenv("NEDB_TMK_FILE") != nullptr) {
    source = "NEDB_TMK_FILE is set";
  }
  if (source == nullptr) return "";
  return std::string("encryption at rest is not available in NEDB ") + kVersion + " (" + source +
         "); refusing to open rather than store data unencrypted -- unset the key to open "
         "without encryption";
}

}  // namespace nedb

// SPDX-License-Identifier: Apache-2.0
// meta.json: configuration that is not part of the log (index specs).
#ifndef NEDB_DB_META_H_
#define NEDB_DB_META_H_

#include <string>
#include <vector>

#include "nedb/env.h"

namespace nedb {

struct IndexSpec {
  std::string coll;
  std::string field;
  std::string kind;  // "eq" | "ordered" | "search"
  bool operator==(const IndexSpec&) const = default;
};

struct Meta {
  std::vector<IndexSpec> indexes;
};

// Reads dir/meta.json, creating it (empty) if missing. Throws Error naming
// the file if it is not a valid meta document.
Meta LoadOrCreateMeta(Env* env, const std::string& dir);
// Atomically replaces dir/meta.json.
void SaveMeta(Env* env, const std::string& dir, const Meta& meta);

}  // namespace nedb

#endif  // NEDB_DB_META_H_

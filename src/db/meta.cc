// SPDX-License-Identifier: Apache-2.0
#include "db/meta.h"

#include <nlohmann/json.hpp>

#include "env/file_util.h"
#include "log/log_format.h"
#include "nedb/errors.h"

namespace nedb {

namespace {
constexpr const char* kMetaFormat = "nedb-meta";
constexpr int kMetaVersion = 1;
}  // namespace

void SaveMeta(Env* env, const std::string& dir, const Meta& meta) {
  nlohmann::json j = {{"format", kMetaFormat}, {"version", kMetaVersion}};
  j["indexes"] = nlohmann::json::array();
  for (const IndexSpec& s : meta.indexes) j["indexes"].push_back({s.coll, s.field, s.kind});
  WriteFileAtomically(env, JoinPath(dir, logfmt::kMetaFile), j.dump() + "\n");
}

Meta LoadOrCreateMeta(Env* env, const std::string& dir) {
  const std::string path = JoinPath(dir, logfmt::kMetaFile);
  Meta meta;
  if (!env->FileExists(path)) {
    SaveMeta(env, dir, meta);
    return meta;
  }
  nlohmann::json j = nlohmann::json::parse(ReadFileToString(env, path), nullptr, false);
  auto bad = [&](const std::string& why) { return Error(path + " is invalid: " + why); };
  if (j.is_discarded() || !j.is_object()) throw bad("not a JSON object");
  if (j.value("format", "") != kMetaFormat) throw bad("format is not \"nedb-meta\"");
  if (!j.contains("version") || !j["version"].is_number_integer() ||
      j["version"].get<int>() > kMetaVersion) {
    throw bad("unsupported version");
  }
  if (!j.contains("indexes") || !j["indexes"].is_array()) throw bad("no \"indexes\" array");
  for (const auto& spec : j["indexes"]) {
    if (!spec.is_array() || spec.size() != 3 || !spec[0].is_string() || !spec[1].is_string() ||
        !spec[2].is_string()) {
      throw bad("an index is not [coll, field, kind]");
    }
    meta.indexes.push_back({spec[0], spec[1], spec[2]});
  }
  return meta;
}

}  // namespace nedb

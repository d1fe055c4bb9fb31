// SPDX-License-Identifier: Apache-2.0
// One v2 op as JSON: what `nedb log` prints (docs/CLI.md) and NEDB::log() returns.
#ifndef NEDB_LOG_V2_RECORD_JSON_H_
#define NEDB_LOG_V2_RECORD_JSON_H_

#include <nlohmann/json.hpp>
#include <string>

#include "log/v2/op_record.h"

namespace nedb::logv2 {

// seq, ts, kind, client, nonce, the kind's names, the payload (a put's
// document parsed as JSON, or "erased": the erase op's seq, ...), idem, the
// provenance fields present, and leaf_hash, in that order.
nlohmann::ordered_json RecordJson(const logv2::OpRecord& rec);

// One line of JSON; bytes that are not UTF-8 are replaced by U+FFFD.
std::string DumpJsonLine(const nlohmann::ordered_json& j);

}  // namespace nedb::logv2

#endif  // NEDB_LOG_V2_RECORD_JSON_H_

// SPDX-License-Identifier: Apache-2.0
// One v2 op as the JSON object `nedb log` prints (docs/CLI.md).
#ifndef NEDB_TOOLS_OP_JSON_H_
#define NEDB_TOOLS_OP_JSON_H_

#include <nlohmann/json.hpp>
#include <string>

#include "log/v2/op_record.h"

namespace nedb::cli {

// seq, ts, kind, client, nonce, the kind's names, the payload (a put's
// document parsed as JSON, or "erased": the erase op's seq, ...), idem, the
// provenance fields present, and leaf_hash, in that order.
nlohmann::ordered_json OpJson(const logv2::OpRecord& rec);

// One line of JSON; bytes that are not UTF-8 are replaced by U+FFFD.
std::string DumpLine(const nlohmann::ordered_json& j);

}  // namespace nedb::cli

#endif  // NEDB_TOOLS_OP_JSON_H_

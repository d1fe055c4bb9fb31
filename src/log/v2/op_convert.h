// SPDX-License-Identifier: Apache-2.0
// Between the engine's op (OpView, what State::Apply folds) and the v2 log's
// record (OpRecord, what the record codec writes). The engine builds an
// OpView, the log stores its OpRecord, and replay turns records back into
// OpViews: the same Apply for live writes and replay.
#ifndef NEDB_LOG_V2_OP_CONVERT_H_
#define NEDB_LOG_V2_OP_CONVERT_H_

#include <string>
#include <string_view>

#include "log/op.h"
#include "log/v2/op_record.h"

namespace nedb::logv2 {

// The format version a v2 genesis op names.
inline constexpr std::uint64_t kLogFormatVersion = 2;

// Storage for bytes a conversion had to make (a checkpoint's digest in the
// other encoding). Views in the result may point into it.
struct ConvertScratch {
  std::string snapshot;
};

// The record of op. A put gets a plain payload of op.doc salted with salt
// (kSaltBytes bytes); op.snapshot (hex) becomes raw bytes. Views point into
// op, salt and *scratch. Throws InvalidArgument for a checkpoint whose
// snapshot digest is not hex.
OpRecord ToRecord(const OpView& op, std::string_view salt, ConvertScratch* scratch);

// The op of a decoded record: a put whose payload was erased has an empty
// doc and erased_by set. Views point into rec and *scratch. Throws
// NotSupported for an encrypted payload (this build has no key).
void FromRecord(const OpRecord& rec, OpView* op, ConvertScratch* scratch);

}  // namespace nedb::logv2

#endif  // NEDB_LOG_V2_OP_CONVERT_H_

// SPDX-License-Identifier: Apache-2.0
// nedb log DIR [--from SEQ] [--limit N]: the ops as JSON lines, in seq order,
// each the logv2::RecordJson object NEDB::log() returns too.
#include <iostream>

#include "commands.h"
#include "data_dir.h"
#include "log/v2/record_json.h"

namespace nedb::cli {

int RunLog(const LogArgs& args) {
  logv2::SegmentReader reader(Env::Default(), LogDir(args.dir));
  logv2::OpRecord rec;
  std::uint64_t printed = 0;
  while ((!args.limit || printed < *args.limit) && reader.Next(&rec)) {
    if (rec.seq < args.from) continue;
    std::cout << logv2::DumpJsonLine(logv2::RecordJson(rec)) << '\n';
    printed++;
  }
  std::cout.flush();
  NoteTornTail(reader);
  return kExitOk;
}

}  // namespace nedb::cli

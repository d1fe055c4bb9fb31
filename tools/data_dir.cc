// SPDX-License-Identifier: Apache-2.0
#include "data_dir.h"

#include <filesystem>
#include <iostream>

#include "commands.h"
#include "log/v2/segment_format.h"

namespace nedb::cli {

std::string LogDir(const std::string& data_dir) {
  std::string dir = data_dir + "/" + std::string(logv2::kLogDir);
  if (!std::filesystem::is_directory(dir)) {
    throw Failure(kExitUsage, dir + " is not a directory (not a NEDB v2 data directory)");
  }
  return dir;
}

void NoteTornTail(const logv2::SegmentReader& reader) {
  if (const auto& t = reader.torn_tail()) {
    std::cerr << "nedb: note: torn tail (a crash mid-append) in " << t->file << " at offset "
              << t->offset << " (" << t->bytes << " bytes, " << t->reason << "); read up to seq "
              << reader.next_seq() << " (exclusive)\n";
  }
}

}  // namespace nedb::cli

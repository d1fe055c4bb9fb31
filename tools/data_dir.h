// SPDX-License-Identifier: Apache-2.0
// Finding the v2 log of a data directory, and telling the user about a torn
// tail the reader stopped at.
#ifndef NEDB_TOOLS_DATA_DIR_H_
#define NEDB_TOOLS_DATA_DIR_H_

#include <string>

#include "log/v2/segment_reader.h"

namespace nedb::cli {

// DATA_DIR/log. Throws Failure(kExitUsage) if it is not a directory.
std::string LogDir(const std::string& data_dir);

// After reader.Next() returned false: notes its torn tail, if any, on stderr.
void NoteTornTail(const logv2::SegmentReader& reader);

}  // namespace nedb::cli

#endif  // NEDB_TOOLS_DATA_DIR_H_

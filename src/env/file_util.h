// SPDX-License-Identifier: Apache-2.0
// Helpers over Env used by several layers.
#ifndef NEDB_ENV_FILE_UTIL_H_
#define NEDB_ENV_FILE_UTIL_H_

#include <string>
#include <string_view>

#include "nedb/env.h"

namespace nedb {

// Replaces path with data atomically: writes path.tmp, fsyncs it, renames it
// over path and fsyncs the directory. A crash leaves the old or the new file.
void WriteFileAtomically(Env* env, const std::string& path, std::string_view data);

// The whole file. Throws IOError.
std::string ReadFileToString(Env* env, const std::string& path);

std::string JoinPath(const std::string& dir, std::string_view name);
std::string DirName(const std::string& path);

}  // namespace nedb

#endif  // NEDB_ENV_FILE_UTIL_H_

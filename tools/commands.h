// SPDX-License-Identifier: Apache-2.0
// The nedb commands (docs/CLI.md) and what they share: the exit codes, the
// error that carries one, and the arguments of each command.
#ifndef NEDB_TOOLS_COMMANDS_H_
#define NEDB_TOOLS_COMMANDS_H_

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace nedb::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // verification failed, or not found
inline constexpr int kExitUsage = 2;   // bad usage, or an I/O error

// Thrown by a command: main prints "nedb: what()" on stderr and exits with code.
struct Failure : std::runtime_error {
  Failure(int exit_code, const std::string& what) : std::runtime_error(what), code(exit_code) {}
  int code;
};

struct LogArgs {
  std::string dir;
  std::uint64_t from = 0;
  std::optional<std::uint64_t> limit;
};
struct VerifyArgs {
  std::string dir;
};
struct ProveArgs {
  std::string dir;
  std::uint64_t seq = 0;
  std::optional<std::uint64_t> size;
};

// Each prints its result on stdout and returns the exit code.
int RunLog(const LogArgs& args);
int RunVerify(const VerifyArgs& args);
int RunProve(const ProveArgs& args);

}  // namespace nedb::cli

#endif  // NEDB_TOOLS_COMMANDS_H_

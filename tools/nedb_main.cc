// SPDX-License-Identifier: Apache-2.0
// nedb: the NEDB command-line tool (docs/CLI.md). Reads a data directory's v2
// log straight from its segment files; it only reads, and needs nothing else
// to have the directory open.
#include <CLI/CLI.hpp>
#include <iostream>

#include "commands.h"
#include "nedb/errors.h"
#include "nedb/version.h"

namespace {

constexpr const char* kExitStatus =
    "Exit status: 0 ok; 1 verification failed or not found (a damaged log, a seq not in the\n"
    "tree); 2 bad usage or an I/O error (no such directory, no log/ in it). docs/CLI.md";

// CLI11 reads "-1" into an unsigned integer as 2^64 - 1: refuse a sign.
const CLI::Validator kCount(
    [](const std::string& s) {
      return s.empty() || s.find_first_not_of("0123456789") != std::string::npos
                 ? std::string("not a whole number: " + s)
                 : std::string();
    },
    "");

}  // namespace

int main(int argc, char** argv) {
  using namespace nedb::cli;
  std::ios::sync_with_stdio(false);
  CLI::App app{"nedb: read, verify and prove the v2 log of a NEDB data directory"};
  app.set_version_flag("--version", std::string("nedb ") + NEDB_VERSION_STRING);
  app.require_subcommand(1);

  LogArgs log;
  CLI::App* log_cmd = app.add_subcommand("log", "Print the ops as JSON lines, in seq order");
  log_cmd->add_option("DIR", log.dir, "Data directory (holding log/)")->required();
  log_cmd->add_option("--from", log.from, "First seq to print (default 0)")->check(kCount);
  std::uint64_t limit = 0, size = 0;  // --limit and --size, when given
  CLI::Option* limit_opt =
      log_cmd->add_option("--limit", limit, "Print at most N ops")->check(kCount);

  VerifyArgs verify;
  CLI::App* verify_cmd = app.add_subcommand(
      "verify", "Check every CRC, payload digest and erasure; print the Merkle root");
  verify_cmd->add_option("DIR", verify.dir, "Data directory (holding log/)")->required();

  ProveArgs prove;
  CLI::App* prove_cmd = app.add_subcommand("prove", "Print the inclusion proof of op SEQ");
  prove_cmd->add_option("DIR", prove.dir, "Data directory (holding log/)")->required();
  prove_cmd->add_option("SEQ", prove.seq, "The op's seq (its leaf index)")
      ->required()
      ->check(kCount);
  CLI::Option* size_opt =
      prove_cmd->add_option("--size", size, "Tree size (default: every op)")->check(kCount);

  app.footer(kExitStatus);
  for (CLI::App* cmd : {log_cmd, verify_cmd, prove_cmd}) cmd->footer(kExitStatus);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitUsage;  // --help and --version exit 0
  }
  if (limit_opt->count()) log.limit = limit;
  if (size_opt->count()) prove.size = size;

  try {
    if (*log_cmd) return RunLog(log);
    if (*verify_cmd) return RunVerify(verify);
    return RunProve(prove);
  } catch (const Failure& e) {
    std::cerr << "nedb: " << e.what() << std::endl;
    return e.code;
  } catch (const nedb::CorruptionError& e) {
    std::cerr << "nedb: " << e.what() << std::endl;
    return kExitFailed;
  } catch (const std::exception& e) {  // IOError, filesystem errors
    std::cerr << "nedb: " << e.what() << std::endl;
    return kExitUsage;
  }
}

// SPDX-License-Identifier: Apache-2.0
// libFuzzer target over v2 log recovery (docs/FORMAT.md, "Recovery"): the
// input is the one segment file of a log. SegmentReader must read it to an
// end or throw CorruptionError -- nothing else, never a crash -- and when it
// reads to an end (torn tail or not), SegmentWriter::Open must cut the tail
// so that one more record appends and a strict re-read sees every record.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "log/v2/payload_digest.h"
#include "log/v2/record_codec.h"
#include "log/v2/segment_reader.h"
#include "log/v2/segment_writer.h"
#include "nedb/errors.h"

namespace {

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "log_segment_fuzz: %s\n", what);
  std::abort();
}

const std::string& Dir() {
  static const std::string dir = "/tmp/nedb-log-segment-fuzz-" + std::to_string(::getpid());
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace nedb::logv2;
  nedb::Env* env = nedb::Env::Default();
  const std::string& dir = Dir();
  if (env->FileExists(dir)) env->RemoveDirRecursively(dir);
  env->CreateDir(dir);
  std::ofstream(dir + "/" + SegmentFileName(1), std::ios::binary)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));

  std::uint64_t n = 0;
  std::unique_ptr<SegmentWriter> w;
  try {
    SegmentReader reader(env, dir);
    OpRecord rec;
    while (reader.Next(&rec)) {
      if (rec.seq != n++) Die("records out of seq order");
    }
    if (reader.torn_tail() && reader.torn_tail()->offset + reader.torn_tail()->bytes != size) {
      Die("torn tail does not reach the end of the file");
    }
    w = SegmentWriter::Open(env, reader);
  } catch (const nedb::CorruptionError&) {
    return 0;
  }
  OpRecord put;
  put.kind = Kind::kPut;
  put.seq = w->next_seq();
  put.client = "fuzz";
  put.coll = "c";
  put.id = "i";
  const std::string salt(kSaltBytes, 's');
  put.payload.salt = salt;
  put.payload.bytes = "{}";
  w->Add(put);
  w->Close();
  SegmentReader strict(env, dir, {.allow_torn_tail = false, .check_digests = false});
  OpRecord rec;
  std::uint64_t m = 0;
  try {
    while (strict.Next(&rec)) m++;
  } catch (const nedb::CorruptionError& e) {
    std::fprintf(stderr, "%s\n", e.what());
    Die("after Open() cut the tail and appended, the log does not read back");
  }
  if (m != n + 1) Die("after Open() and one append, a record is missing");
  return 0;
}

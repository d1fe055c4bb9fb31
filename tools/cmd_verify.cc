// SPDX-License-Identifier: Apache-2.0
// nedb verify DIR: logv2::VerifyLog (the checker behind NEDB::verify() too)
// over the segments, with a progress line on a terminal, and its report as
// one line of JSON. A torn tail is a warning; everything before it must
// verify.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <vector>

#include "commands.h"
#include "data_dir.h"
#include "log/v2/log_verifier.h"
#include "log/v2/record_json.h"
#include "log/v2/segment_format.h"
#include "progress.h"

namespace nedb::cli {

namespace {

// Bytes of segments 1..n, for n = 0..last (the progress bar's denominator).
std::vector<std::uint64_t> SegmentEnds(const std::string& dir) {
  std::map<std::uint32_t, std::uint64_t> sizes;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (auto n = logv2::ParseSegmentFileName(e.path().filename().string())) {
      sizes[n] = e.file_size();
    }
  }
  std::vector<std::uint64_t> ends{0};
  for (const auto& [n, size] : sizes) ends.push_back(ends.back() + size);
  return ends;
}

int Print(const nlohmann::ordered_json& j, int code) {
  std::cout << logv2::DumpJsonLine(j) << std::endl;
  return code;
}

}  // namespace

int RunVerify(const VerifyArgs& args) {
  const std::string dir = LogDir(args.dir);
  const std::vector<std::uint64_t> ends = SegmentEnds(dir);
  if (ends.size() == 1) {
    return Print(
        {{"ok", false}, {"error", "no segment files"}, {"seq", 0}, {"file", dir}, {"offset", 0}},
        kExitFailed);
  }
  logv2::VerifyLogReport r;
  {
    Progress progress(ends.back());
    logv2::VerifyLogOptions options;
    options.progress = [&](std::uint64_t ops, const logv2::RecordLocation& loc) {
      // A segment created after the listing above counts as the last one.
      const std::uint64_t before = ends[std::min<std::size_t>(loc.segment, ends.size()) - 1];
      progress.Update(ops, before + loc.offset + loc.size);
    };
    r = logv2::VerifyLog(Env::Default(), dir, options);
  }  // the progress line is wiped before the result is printed
  if (!r.ok) {
    return Print(
        {{"ok", false}, {"error", r.error}, {"seq", r.seq}, {"file", r.file}, {"offset", r.offset}},
        kExitFailed);
  }
  nlohmann::ordered_json j;
  j["ok"] = true;
  j["ops"] = r.ops;
  j["tree_size"] = r.ops;
  j["root"] = merkle::ToHex(r.root);
  j["segments"] = ends.size() - 1;
  j["payloads"] = r.payloads;
  if (const auto& t = r.torn_tail) {
    j["torn_tail"] = {{"file", t->file},
                      {"offset", t->offset},
                      {"bytes", t->bytes},
                      {"seq", r.ops},
                      {"reason", t->reason}};
  }
  return Print(j, kExitOk);
}

}  // namespace nedb::cli

// SPDX-License-Identifier: Apache-2.0
// Helpers shared by tests: temporary directories and file access.
#ifndef NEDB_TESTS_TEST_UTIL_H_
#define NEDB_TESTS_TEST_UTIL_H_

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace nedb::test {

// A fresh directory under the build tree's tmp (or $TMPDIR), removed on exit.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string root = base ? base : "/tmp";
    static int counter = 0;
    path_ = root + "/nedb-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A TempDir for one database: db(), its log directory log() and the
// segment files in it (log format v2, docs/FORMAT-v2.md).
class DbDir : public TempDir {
 public:
  std::string db() const { return sub("db"); }
  std::string log() const { return sub("db/log"); }
  // Segment number n: db/log/NNNNNNNN.seg.
  std::string segment(std::uint32_t n = 1) const {
    char name[32];
    std::snprintf(name, sizeof name, "/%08u.seg", n);
    return log() + name;
  }
  // The number of the last segment (the highest), 0 if there is none.
  std::uint32_t last_segment() const {
    std::uint32_t last = 0;
    if (!std::filesystem::exists(log())) return 0;
    for (const auto& e : std::filesystem::directory_iterator(log())) {
      const std::string name = e.path().filename().string();
      if (name.size() == 12 && name.substr(8) == ".seg") {
        last = std::max<std::uint32_t>(last, static_cast<std::uint32_t>(std::stoul(name)));
      }
    }
    return last;
  }
};

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

// ---- the bytes of a v2 segment, read here without the engine's code ----

inline constexpr std::size_t kSegmentHeaderBytes = 32;  // magic .. header CRC
inline constexpr std::size_t kFrameHeaderBytes = 8;     // length:u32 crc:u32

inline std::uint32_t GetU32(std::string_view b, std::uint64_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + i]);
  return v;
}
inline void PutU32(std::string* b, std::uint64_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) (*b)[at + i] = static_cast<char>((v >> (8 * i)) & 0xFF);
}

// CRC32C (Castagnoli), bit by bit as docs/FORMAT-v2.md spells it.
inline std::uint32_t TestCrc32c(std::string_view data) {
  std::uint32_t crc = 0xFFFFFFFF;
  for (const char c : data) {
    crc ^= static_cast<unsigned char>(c);
    for (int k = 0; k < 8; ++k) crc = (crc & 1) ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
  }
  return crc ^ 0xFFFFFFFF;
}

// A frame of a segment: bytes [offset, offset + size) (header included).
struct Frame {
  std::uint64_t offset = 0, size = 0;
  std::uint64_t end() const { return offset + size; }
};

// The frames of a segment file's bytes after its header, in order, up to
// the end or the first one that does not fit in the bytes.
inline std::vector<Frame> SegmentFrames(std::string_view seg) {
  std::vector<Frame> out;
  for (std::uint64_t at = kSegmentHeaderBytes; at + kFrameHeaderBytes <= seg.size();) {
    const std::uint64_t size = kFrameHeaderBytes + GetU32(seg, at);
    if (at + size > seg.size()) break;
    out.push_back({at, size});
    at += size;
  }
  return out;
}

// Recomputes the CRC of the frame at f in seg (after an edit of its bytes).
inline void RepairFrameCrc(std::string* seg, const Frame& f) {
  const std::string_view b(*seg);
  const std::string covered =
      std::string(b.substr(f.offset, 4)) + std::string(b.substr(f.offset + 8, f.size - 8));
  PutU32(seg, f.offset + 4, TestCrc32c(covered));
}

}  // namespace nedb::test

#endif  // NEDB_TESTS_TEST_UTIL_H_

// SPDX-License-Identifier: Apache-2.0
// libFuzzer target over the log format v2 record decoder (docs/FORMAT.md):
// on any bytes, DecodeRecord, DecodeEntry and ReadFrame never crash or read
// out of bounds, and whatever DecodeRecord accepts is canonical -- encoding
// it again gives the same bytes (for a plain payload whose digest matches;
// otherwise the same bytes but the digest), and its leaf entry is the entry
// inside the record. A frame built around the input reads back whole.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "log/v2/frame.h"
#include "log/v2/payload_digest.h"
#include "log/v2/record_codec.h"

namespace {

[[noreturn]] void Die(const char* what, std::string_view in) {
  std::fprintf(stderr, "log_record_fuzz: %s\n  input: %s\n", what, nedb::logv2::ToHex(in).c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace nedb::logv2;
  const std::string_view in(reinterpret_cast<const char*>(data), size);

  OpRecord rec;
  std::string why;
  if (DecodeRecord(in, &rec, &why)) {
    std::string again;
    EncodeRecord(rec, &again);  // must not throw: the decoder checked every rule
    if (PayloadDigestMatches(rec)) {
      if (again != in) Die("decoded record does not re-encode to the same bytes", in);
    } else if (again.size() != in.size()) {
      Die("re-encoding changed the size of a record", in);
    }
    if (LeafEntry(rec) != rec.entry && PayloadDigestMatches(rec)) {
      Die("LeafEntry differs from the entry in the record", in);
    }
    OpRecord e;
    if (!DecodeEntry(rec.entry, &e, &why)) Die("the entry of a valid record does not decode", in);
    std::string erased;
    if (KindHasPayload(rec.kind) && rec.payload.state == PayloadState::kPlain &&
        rec.seq < ~std::uint64_t{0} && EraseRecordPayload(in, rec.seq + 1, &erased)) {
      OpRecord after;
      if (erased.size() != in.size() || !DecodeRecord(erased, &after, &why) ||
          after.entry != rec.entry) {
        Die("erasing a payload changed the entry or the size", in);
      }
    }
  }
  OpRecord e;
  (void)DecodeEntry(in, &e, &why);

  std::string_view record;
  std::uint32_t length;
  (void)ReadFrame(in, &record, &length);
  if (size > 0 && size <= kMaxRecordBytes) {
    std::string frame;
    AppendFrame(in, &frame);
    if (ReadFrame(frame, &record, &length) != FrameStatus::kOk || record != in) {
      Die("a frame does not read back", in);
    }
  }
  return 0;
}

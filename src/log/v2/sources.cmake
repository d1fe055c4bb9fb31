# SPDX-License-Identifier: Apache-2.0
# Log format v2 (issue 14, docs/FORMAT.md): the record layer and the
# engine's log over segments (SegmentLog), compiled into libnedb.
target_sources(nedb PRIVATE
  src/util/crc32c.cc
  src/log/v2/payload_digest.cc
  src/log/v2/record_codec.cc
  src/log/v2/frame.cc
  src/log/v2/segment_reader.cc
  src/log/v2/segment_writer.cc
  src/log/v2/op_convert.cc
  src/log/v2/segment_log.cc
  src/log/v2/upgrade_v1.cc
  src/log/v2/log_verifier.cc
  src/log/v2/record_json.cc
)

# SPDX-License-Identifier: Apache-2.0
# The Redis command layer (include/nedb/redis_compat.h), part of the nedb
# library: commands over NEDB documents and the RESP2 wire format.
target_sources(nedb PRIVATE
  src/redis/keymap.cc
  src/redis/util.cc
  src/redis/reply.cc
  src/redis/resp_parser.cc
  src/redis/store.cc
  src/redis/string_text.cc
  src/redis/expiry.cc
  src/redis/commands_strings.cc
  src/redis/commands_string_ranges.cc
  src/redis/commands_scan.cc
  src/redis/commands_keys.cc
  src/redis/commands_hashes.cc
  src/redis/commands_sets.cc
  src/redis/commands_lists.cc
  src/redis/commands_server.cc
  src/redis/redis_compat.cc
)

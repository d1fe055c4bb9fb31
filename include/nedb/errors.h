// Copyright (c) NEDB authors. Errors raised by NEDB.
// SPDX-License-Identifier: Apache-2.0
//
// Every failure is an exception deriving from nedb::Error (itself a
// std::runtime_error). Servers map each kind to a status code or RESP error.
#ifndef NEDB_ERRORS_H_
#define NEDB_ERRORS_H_

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace nedb {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// Bad input from the caller: empty collection or id, an invalid collection
// name, a non-object document, an AS OF seq in the future, ...
class InvalidArgument : public Error {
 public:
  explicit InvalidArgument(const std::string& what) : Error(what) {}
};

// A write whose nonce does not strictly exceed its client's last nonce.
// Nothing was appended.
class ReplayError : public Error {
 public:
  explicit ReplayError(const std::string& what) : Error(what) {}
};

// The log (or another file) is damaged somewhere other than a torn tail.
// seq() is the seq of the first bad op (or the seq expected there) and
// offset() the byte offset of its frame in its segment (of its line, in a v1 log.aof).
class CorruptionError : public Error {
 public:
  CorruptionError(const std::string& what, std::uint64_t seq, std::uint64_t offset)
      : Error(what), seq_(seq), offset_(offset) {}
  std::uint64_t seq() const { return seq_; }
  std::uint64_t offset() const { return offset_; }

 private:
  std::uint64_t seq_;
  std::uint64_t offset_;
};

// An operating-system call failed (write, fsync, open, ...). A failed write
// of the log is cut back and the op is not applied; if the cut itself fails,
// or an fsync fails, the database refuses every later write (reads keep
// working): reopen it to recover from what is on disk.
class IOError : public Error {
 public:
  explicit IOError(const std::string& what) : Error(what) {}
};

// Another process (or another NEDB object) holds the database directory.
class LockError : public IOError {
 public:
  explicit LockError(const std::string& what) : IOError(what) {}
};

// The NEDB object was closed; every call but close() throws this.
class ClosedError : public Error {
 public:
  explicit ClosedError(const std::string& what) : Error(what) {}
};

// A malformed query (NQL or SQL). position() is the 0-based byte offset in
// the query text where the problem was found; the message names it and
// what was expected there.
class QueryError : public Error {
 public:
  QueryError(const std::string& what, std::size_t position) : Error(what), position_(position) {}
  std::size_t position() const { return position_; }

 private:
  std::size_t position_;
};

// A feature the caller asked for is not available in this version (for
// example encryption at rest: NEDB refuses to open rather than write in plain
// text what was meant to be encrypted).
class NotSupported : public Error {
 public:
  explicit NotSupported(const std::string& what) : Error(what) {}
};

// Something named does not exist (used by the server layers).
class NotFound : public Error {
 public:
  explicit NotFound(const std::string& what) : Error(what) {}
};

// A read AS OF a seq where the version it would return was erased
// (NEDB::erase): its payload no longer exists. erase_seq() is the seq of the
// erase op. A read never silently returns nothing for an erased version.
class ErasedError : public Error {
 public:
  ErasedError(const std::string& what, std::uint64_t erase_seq)
      : Error(what), erase_seq_(erase_seq) {}
  std::uint64_t erase_seq() const { return erase_seq_; }

 private:
  std::uint64_t erase_seq_;
};

}  // namespace nedb

#endif  // NEDB_ERRORS_H_

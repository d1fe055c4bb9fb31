// SPDX-License-Identifier: Apache-2.0
// Secondary indexes: views of the HEAD state of one collection, keyed by a
// field. They answer HEAD reads only (an AS OF read never uses them) and
// are maintained by State::Apply on every put and delete.
//
// Documents are named by their entry number in the collection (see
// Collection::entries()): compact, and iteration in entry order is the
// collection's natural order.
#ifndef NEDB_INDEX_INDEX_H_
#define NEDB_INDEX_INDEX_H_

#include <absl/container/btree_set.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "db/meta.h"
#include "query/value.h"
#include "util/str_map.h"

namespace nedb {

using EntrySet = absl::btree_set<std::uint32_t>;

class Index {
 public:
  explicit Index(IndexSpec spec);
  virtual ~Index() = default;
  const IndexSpec& spec() const { return spec_; }
  const std::vector<std::string>& path() const { return path_; }
  // The document at entry changed at HEAD from old_doc to new_doc (JSON
  // text; empty = absent).
  virtual void Update(std::uint32_t entry, std::string_view old_doc, std::string_view new_doc) = 0;

 private:
  IndexSpec spec_;
  std::vector<std::string> path_;
};

// "eq": value -> entries (hash map). Documents without the field are absent.
// It also remembers, per value, every entry that ever held it at any seq:
// a superset of the matches of any AS OF read, so time travel can use the
// index too (each candidate is re-checked against its version at that seq).
class EqIndex final : public Index {
 public:
  using Index::Index;
  void Update(std::uint32_t entry, std::string_view old_doc, std::string_view new_doc) override;
  // Records that entry held doc at some seq (backfill of older versions).
  void AddHistory(std::uint32_t entry, std::string_view doc);
  // Entries whose field equals v at HEAD, or nullptr.
  const EntrySet* Find(const Scalar& v) const;
  // Entries whose field ever equaled v, or nullptr.
  const EntrySet* FindEver(const Scalar& v) const;

 private:
  StrMap<EntrySet> map_;
  StrMap<EntrySet> ever_;
};

// "ordered": (value, entry) in NEDB's total order; documents without the
// field are kept too, as the lowest value (Rank::kMissing).
class OrderedIndex final : public Index {
 public:
  struct Key {
    Scalar value;
    std::uint32_t entry;
  };
  struct KeyLess {
    bool operator()(const Key& a, const Key& b) const {
      int c = Compare(a.value, b.value);
      return c != 0 ? c < 0 : a.entry < b.entry;
    }
  };
  using Set = absl::btree_set<Key, KeyLess>;

  using Index::Index;
  void Update(std::uint32_t entry, std::string_view old_doc, std::string_view new_doc) override;
  const Set& set() const { return set_; }
  // First key with value >= v (strict = false) or > v (strict = true).
  Set::const_iterator LowerBound(const Scalar& v, bool strict) const;

 private:
  Set set_;
};

// "search": token -> entries. Tokens: maximal runs of ASCII letters and
// digits and of non-ASCII bytes, ASCII letters lower-cased.
class SearchIndex final : public Index {
 public:
  using Index::Index;
  void Update(std::uint32_t entry, std::string_view old_doc, std::string_view new_doc) override;
  const EntrySet* Postings(std::string_view token) const;

 private:
  StrMap<EntrySet> postings_;
};

// The tokens of text (deduplicated, sorted).
std::vector<std::string> Tokenize(std::string_view text);
// Tokens of a field's value: a string's text, or every string inside an
// array or object; numbers and booleans by their JSON text.
void TokensOfValue(const ValueView& v, std::vector<std::string>* out);

std::unique_ptr<Index> MakeIndex(const IndexSpec& spec);

// All indexes, by collection.
class IndexSet {
 public:
  bool Has(std::string_view coll) const { return by_coll_.contains(coll); }
  void Add(std::unique_ptr<Index> index);
  // Drops coll's indexes; returns their specs.
  std::vector<IndexSpec> Remove(std::string_view coll);
  bool Contains(const IndexSpec& spec) const;
  const std::vector<std::unique_ptr<Index>>* For(std::string_view coll) const;
  const Index* Find(std::string_view coll, std::string_view field, std::string_view kind) const;
  std::vector<IndexSpec> Specs() const;
  void OnChange(std::string_view coll, std::uint32_t entry, std::string_view old_doc,
                std::string_view new_doc);

 private:
  StrMap<std::vector<std::unique_ptr<Index>>> by_coll_;
};

}  // namespace nedb

#endif  // NEDB_INDEX_INDEX_H_

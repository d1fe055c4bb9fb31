// SPDX-License-Identifier: Apache-2.0
#include "index/index.h"

#include <algorithm>

namespace nedb {

namespace {

std::vector<std::string> SplitPath(const std::string& field) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (;;) {
    std::size_t dot = field.find('.', start);
    parts.push_back(field.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return parts;
}

ValueView Field(std::string_view doc, const std::vector<std::string>& path) {
  if (doc.empty()) return {};
  return LookupField(doc, path);
}

bool IsWordByte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

}  // namespace

Index::Index(IndexSpec spec) : spec_(std::move(spec)), path_(SplitPath(spec_.field)) {}

// ---- eq ----

void EqIndex::Update(std::uint32_t entry, std::string_view old_doc, std::string_view new_doc) {
  ValueView o = Field(old_doc, path()), n = Field(new_doc, path());
  std::string ok = o.rank == Rank::kMissing ? std::string() : EqKey(Scalar::FromView(o));
  std::string nk = n.rank == Rank::kMissing ? std::string() : EqKey(Scalar::FromView(n));
  if (ok == nk) return;
  if (!ok.empty()) {
    auto it = map_.find(ok);
    if (it != map_.end()) {
      it->second.erase(entry);
      if (it->second.empty()) map_.erase(it);
    }
  }
  if (!nk.empty()) {
    map_[nk].insert(entry);
    ever_[nk].insert(entry);
  }
}

void EqIndex::AddHistory(std::uint32_t entry, std::string_view doc) {
  ValueView v = Field(doc, path());
  if (v.rank != Rank::kMissing) ever_[EqKey(Scalar::FromView(v))].insert(entry);
}

const EntrySet* EqIndex::FindEver(const Scalar& v) const {
  auto it = ever_.find(EqKey(v));
  return it == ever_.end() ? nullptr : &it->second;
}

const EntrySet* EqIndex::Find(const Scalar& v) const {
  auto it = map_.find(EqKey(v));
  return it == map_.end() ? nullptr : &it->second;
}

// ---- ordered ----

void OrderedIndex::Update(std::uint32_t entry, std::string_view old_doc, std::string_view new_doc) {
  if (!old_doc.empty()) set_.erase(Key{Scalar::FromView(Field(old_doc, path())), entry});
  if (!new_doc.empty()) set_.insert(Key{Scalar::FromView(Field(new_doc, path())), entry});
}

OrderedIndex::Set::const_iterator OrderedIndex::LowerBound(const Scalar& v, bool strict) const {
  // Entry numbers bound the key: (v, 0) is the first key with value v, and
  // (v, max) the last.
  return strict ? set_.upper_bound(Key{v, UINT32_MAX}) : set_.lower_bound(Key{v, 0});
}

// ---- search ----

std::vector<std::string> Tokenize(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !IsWordByte(static_cast<unsigned char>(text[i]))) ++i;
    std::size_t start = i;
    while (i < text.size() && IsWordByte(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) {
      std::string t(text.substr(start, i - start));
      for (char& c : t) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      }
      out.push_back(std::move(t));
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void TokensOfValue(const ValueView& v, std::vector<std::string>* out) {
  if (v.rank == Rank::kMissing || v.rank == Rank::kNull) return;
  std::string text;
  if (v.rank == Rank::kString) {
    UnescapeJsonString(v.raw.substr(1, v.raw.size() - 2), &text);
  } else if (v.rank == Rank::kArray || v.rank == Rank::kObject) {
    // Strings inside (keys included); tokenizing the raw text finds them.
    UnescapeJsonString(v.raw, &text);
  } else {
    text.assign(v.raw);
  }
  std::vector<std::string> t = Tokenize(text);
  out->insert(out->end(), t.begin(), t.end());
}

void SearchIndex::Update(std::uint32_t entry, std::string_view old_doc, std::string_view new_doc) {
  std::vector<std::string> o, n;
  TokensOfValue(Field(old_doc, path()), &o);
  TokensOfValue(Field(new_doc, path()), &n);
  std::vector<std::string> gone, added;
  std::set_difference(o.begin(), o.end(), n.begin(), n.end(), std::back_inserter(gone));
  std::set_difference(n.begin(), n.end(), o.begin(), o.end(), std::back_inserter(added));
  for (const std::string& t : gone) {
    auto it = postings_.find(t);
    if (it == postings_.end()) continue;
    it->second.erase(entry);
    if (it->second.empty()) postings_.erase(it);
  }
  for (const std::string& t : added) postings_[t].insert(entry);
}

const EntrySet* SearchIndex::Postings(std::string_view token) const {
  auto it = postings_.find(token);
  return it == postings_.end() ? nullptr : &it->second;
}

// ---- set ----

std::unique_ptr<Index> MakeIndex(const IndexSpec& spec) {
  if (spec.kind == "eq") return std::make_unique<EqIndex>(spec);
  if (spec.kind == "ordered") return std::make_unique<OrderedIndex>(spec);
  if (spec.kind == "search") return std::make_unique<SearchIndex>(spec);
  return nullptr;
}

void IndexSet::Add(std::unique_ptr<Index> index) {
  by_coll_[index->spec().coll].push_back(std::move(index));
}

std::vector<IndexSpec> IndexSet::Remove(std::string_view coll) {
  std::vector<IndexSpec> specs;
  auto it = by_coll_.find(coll);
  if (it == by_coll_.end()) return specs;
  for (const auto& ix : it->second) specs.push_back(ix->spec());
  by_coll_.erase(it);
  return specs;
}

bool IndexSet::Contains(const IndexSpec& spec) const {
  return Find(spec.coll, spec.field, spec.kind) != nullptr;
}

const std::vector<std::unique_ptr<Index>>* IndexSet::For(std::string_view coll) const {
  auto it = by_coll_.find(coll);
  return it == by_coll_.end() ? nullptr : &it->second;
}

const Index* IndexSet::Find(std::string_view coll, std::string_view field,
                            std::string_view kind) const {
  if (const auto* v = For(coll)) {
    for (const auto& ix : *v) {
      if (ix->spec().field == field && ix->spec().kind == kind) return ix.get();
    }
  }
  return nullptr;
}

std::vector<IndexSpec> IndexSet::Specs() const {
  std::vector<IndexSpec> out;
  for (const auto& [coll, v] : by_coll_) {
    for (const auto& ix : v) out.push_back(ix->spec());
  }
  std::sort(out.begin(), out.end(), [](const IndexSpec& a, const IndexSpec& b) {
    return std::tie(a.coll, a.field, a.kind) < std::tie(b.coll, b.field, b.kind);
  });
  return out;
}

void IndexSet::OnChange(std::string_view coll, std::uint32_t entry, std::string_view old_doc,
                        std::string_view new_doc) {
  auto it = by_coll_.find(coll);
  if (it == by_coll_.end()) return;
  for (const auto& ix : it->second) ix->Update(entry, old_doc, new_doc);
}

}  // namespace nedb

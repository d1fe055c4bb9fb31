// SPDX-License-Identifier: Apache-2.0
#include "state/graph.h"

#include <algorithm>

namespace nedb {

std::string Graph::Key(std::string_view a, std::string_view b) {
  std::string k;
  k.reserve(a.size() + b.size() + 1);
  k.append(a);
  k.push_back('\0');
  k.append(b);
  return k;
}

bool Graph::Link(std::string_view from, std::string_view rel, std::string_view to,
                 std::uint64_t seq) {
  if (!live_.insert(Key(Key(from, rel), to)).second) return false;
  out_[Key(from, rel)].push_back(Span{std::string(to), seq});
  in_[Key(to, rel)].push_back(Span{std::string(from), seq});
  return true;
}

void Graph::Close(SpanMap& m, const std::string& key, std::string_view other, std::uint64_t seq) {
  auto& spans = m[key];
  for (auto it = spans.rbegin(); it != spans.rend(); ++it) {
    if (it->removed == kLive && it->other == other) {
      it->removed = seq;
      return;
    }
  }
}

bool Graph::Unlink(std::string_view from, std::string_view rel, std::string_view to,
                   std::uint64_t seq) {
  if (live_.erase(Key(Key(from, rel), to)) == 0) return false;
  Close(out_, Key(from, rel), to, seq);
  Close(in_, Key(to, rel), from, seq);
  return true;
}

bool Graph::Exists(std::string_view from, std::string_view rel, std::string_view to) const {
  return live_.contains(Key(Key(from, rel), to));
}

std::vector<std::string> Graph::Visible(const SpanMap& m, const std::string& key,
                                        std::uint64_t as_of) {
  std::vector<std::string> out;
  auto it = m.find(key);
  if (it == m.end()) return out;
  for (const Span& s : it->second) {
    if (s.added <= as_of && as_of < s.removed) out.push_back(s.other);
  }
  return out;
}

std::vector<std::string> Graph::Out(std::string_view from, std::string_view rel,
                                    std::uint64_t as_of) const {
  return Visible(out_, Key(from, rel), as_of);
}

std::vector<std::string> Graph::In(std::string_view to, std::string_view rel,
                                   std::uint64_t as_of) const {
  return Visible(in_, Key(to, rel), as_of);
}

bool Graph::Equals(const Graph& other) const {
  auto same = [](const SpanMap& a, const SpanMap& b) {
    if (a.size() != b.size()) return false;
    for (const auto& [k, spans] : a) {
      auto it = b.find(k);
      if (it == b.end() || it->second.size() != spans.size()) return false;
      for (std::size_t i = 0; i < spans.size(); ++i) {
        const Span& x = spans[i];
        const Span& y = it->second[i];
        if (x.other != y.other || x.added != y.added || x.removed != y.removed) return false;
      }
    }
    return true;
  };
  return live_ == other.live_ && same(out_, other.out_) && same(in_, other.in_);
}

}  // namespace nedb

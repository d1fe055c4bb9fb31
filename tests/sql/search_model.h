// SPDX-License-Identifier: Apache-2.0
// SEARCH as docs/NQL.md defines it, over plain JSON documents: the model
// sql_sqlite_diff_test uses for SQL's LIKE '%word%' (docs/SQL.md, LIKE).
#ifndef NEDB_TESTS_SQL_SEARCH_MODEL_H_
#define NEDB_TESTS_SQL_SEARCH_MODEL_H_

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace nedb::test {

using nlohmann::json;

// docs/NQL.md's tokens: maximal runs of ASCII letters and digits and of
// non-ASCII bytes, ASCII lower-cased.
inline void Tokens(const std::string& text, std::set<std::string>* out) {
  std::string t;
  for (char ch : text + " ") {
    const unsigned char c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80) {
      t += ch;
    } else if (c >= 'A' && c <= 'Z') {
      t += static_cast<char>(c - 'A' + 'a');
    } else if (!t.empty()) {
      out->insert(t);
      t.clear();
    }
  }
}

// A search-indexed field's tokens: a string's text; every string (keys
// too), number and literal inside an array or object; a number or
// boolean by its JSON text.
inline void FieldTokens(const json& v, std::set<std::string>* out) {
  if (v.is_null()) return;
  if (v.is_string()) return Tokens(v.get<std::string>(), out);
  if (v.is_object()) {
    for (const auto& [k, x] : v.items()) {
      Tokens(k, out);
      FieldTokens(x, out);
    }
    return;
  }
  if (v.is_array()) {
    for (const json& x : v) x.is_null() ? Tokens("null", out) : FieldTokens(x, out);
    return;
  }
  Tokens(v.dump(), out);
}

// Without a search index: every string value, nested ones included.
inline void StringTokens(const json& v, std::set<std::string>* out) {
  if (v.is_string()) return Tokens(v.get<std::string>(), out);
  if (v.is_structured()) {
    for (const json& x : v) StringTokens(x, out);
  }
}
// "o.x" -> {"o", "x"}.
inline std::vector<std::string> FieldPath(const std::string& field) {
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    const std::size_t dot = field.find('.', start);
    parts.push_back(field.substr(start, dot - start));
    if (dot == std::string::npos) return parts;
    start = dot + 1;
  }
}

// Whether SEARCH "word" matches doc: every token of word is a token of the
// search-indexed fields (paths), or, when there are none, of any string
// value of the document.
inline bool SearchMatches(const json& doc, const std::set<std::vector<std::string>>& paths,
                          const std::string& word) {
  std::set<std::string> tokens;
  if (paths.empty()) {
    StringTokens(doc, &tokens);
  } else {
    for (const std::vector<std::string>& path : paths) {
      const json* v = &doc;
      for (const std::string& p : path) {
        v = v->is_object() && v->contains(p) ? &(*v)[p] : nullptr;
        if (v == nullptr) break;
      }
      if (v != nullptr) FieldTokens(*v, &tokens);
    }
  }
  std::set<std::string> want;
  Tokens(word, &want);
  for (const std::string& t : want) {
    if (!tokens.count(t)) return false;
  }
  return true;
}

}  // namespace nedb::test

#endif  // NEDB_TESTS_SQL_SEARCH_MODEL_H_

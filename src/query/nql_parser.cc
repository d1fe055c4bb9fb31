// SPDX-License-Identifier: Apache-2.0
#include "query/nql_parser.h"

#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "db/validate.h"
#include "nedb/errors.h"
#include "query/nql_lexer.h"

namespace nedb::nql {

std::string_view CmpOpText(CmpOp op) {
  switch (op) {
    case CmpOp::kEq: return "=";
    case CmpOp::kNe: return "!=";
    case CmpOp::kLt: return "<";
    case CmpOp::kLe: return "<=";
    case CmpOp::kGt: return ">";
    case CmpOp::kGe: return ">=";
  }
  return "?";
}

std::string_view AggFnText(AggFn fn) {
  switch (fn) {
    case AggFn::kCount: return "COUNT";
    case AggFn::kSum: return "SUM";
    case AggFn::kAvg: return "AVG";
    case AggFn::kMin: return "MIN";
    case AggFn::kMax: return "MAX";
  }
  return "?";
}

namespace {

// Optional clauses, in the only order they may appear.
enum Clause { kAsOf, kWhere, kSearch, kOrderBy, kTraverse, kGroupBy, kLimit, kNumClauses };
constexpr std::string_view kClauseNames[kNumClauses] = {
    "AS OF", "WHERE", "SEARCH", "ORDER BY", "TRAVERSE", "GROUP BY", "LIMIT"};
constexpr std::string_view kClauseFirstWords[kNumClauses] = {"AS",       "WHERE", "SEARCH", "ORDER",
                                                             "TRAVERSE", "GROUP", "LIMIT"};
constexpr std::string_view kOrderHint =
    " (clauses must come in the order AS OF, WHERE, SEARCH, ORDER BY, TRAVERSE, GROUP BY, LIMIT, "
    "each at most once)";

// "A, B or C".
std::string Alternatives(const std::vector<std::string_view>& items) {
  std::string out;
  for (std::size_t k = 0; k < items.size(); ++k) {
    if (k > 0) out += k + 1 == items.size() ? " or " : ", ";
    out.append(items[k]);
  }
  return out;
}

FieldPath MakeFieldPath(std::string_view text) {
  FieldPath f;
  f.text = std::string(text);
  std::size_t start = 0;
  for (;;) {
    std::size_t dot = text.find('.', start);
    f.parts.emplace_back(text.substr(start, dot - start));
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return f;
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text), lex_(text) {}

  Query Run() {
    Query q;
    Advance();
    if (!IsKeyword("FROM")) Fail("expected FROM");
    Advance();
    q.coll = Name("a collection name");
    int stage = 0;                        // the first clause still allowed
    std::vector<std::string_view> extra;  // continuations of the previous clause
    while (tok_.kind != TokenKind::kEnd) {
      int clause = CurrentClause();
      if (clause < stage) FailClause(stage, extra, clause >= 0);
      extra.clear();
      stage = clause + 1;
      Advance();
      switch (clause) {
        case kAsOf:
          ExpectSecondWord("OF", "AS");
          q.as_of = Uint("a sequence number");
          break;
        case kWhere:
          q.where.push_back(ParseCondition());
          while (IsKeyword("AND")) {
            Advance();
            q.where.push_back(ParseCondition());
          }
          extra = {"AND"};
          break;
        case kSearch:
          if (tok_.kind != TokenKind::kString) Fail("expected a double-quoted search string");
          q.search = std::move(tok_.str);
          Advance();
          break;
        case kOrderBy: {
          ExpectSecondWord("BY", "ORDER");
          OrderBy o;
          o.field = Field("a field name");
          if (IsKeyword("ASC")) {
            Advance();
          } else if (IsKeyword("DESC")) {
            o.desc = true;
            Advance();
          } else {
            extra = {"ASC", "DESC"};
          }
          q.order_by = std::move(o);
          break;
        }
        case kTraverse: q.traverse = Name("a relation name"); break;
        case kGroupBy: {
          ExpectSecondWord("BY", "GROUP");
          GroupBy g;
          g.field = Field("a field name");
          static constexpr std::pair<std::string_view, AggFn> kFns[] = {{"COUNT", AggFn::kCount},
                                                                        {"SUM", AggFn::kSum},
                                                                        {"AVG", AggFn::kAvg},
                                                                        {"MIN", AggFn::kMin},
                                                                        {"MAX", AggFn::kMax}};
          bool found = false;
          for (const auto& [word, fn] : kFns) {
            if (IsKeyword(word)) {
              g.fn = fn;
              found = true;
              break;
            }
          }
          if (!found) Fail("expected COUNT, SUM, AVG, MIN or MAX");
          Advance();
          if (g.fn != AggFn::kCount) g.agg_field = Field("a field name to aggregate");
          q.group_by = std::move(g);
          break;
        }
        case kLimit: q.limit = Uint("a row count"); break;
        default: break;
      }
    }
    return q;
  }

 private:
  void Advance() { tok_ = lex_.Next(); }

  bool IsKeyword(std::string_view upper) const {
    return tok_.kind == TokenKind::kWord && !tok_.dotted && EqualsKeyword(tok_.raw, upper);
  }

  [[noreturn]] void Fail(std::string_view what) const {
    throw SyntaxError(text_, tok_.pos, tok_.raw.size(), what);
  }

  int CurrentClause() const {
    for (int c = 0; c < kNumClauses; ++c) {
      if (IsKeyword(kClauseFirstWords[c])) return c;
    }
    return -1;
  }

  [[noreturn]] void FailClause(int stage, const std::vector<std::string_view>& extra,
                               bool misplaced_clause) const {
    std::vector<std::string_view> items = extra;
    for (int c = stage; c < kNumClauses; ++c) items.push_back(kClauseNames[c]);
    items.push_back("end of query");
    std::string what = "expected " + Alternatives(items);
    if (misplaced_clause) {
      what.append(kOrderHint);
    } else if (tok_.raw == ";") {
      what += " (a trailing ';' is not part of NQL)";
    } else if (tok_.kind != TokenKind::kEnd && tok_.pos == bare_name_end_) {
      what += QuoteHint(bare_name_);  // FROM users-v2
    }
    Fail(what);
  }

  // For a bare name run into other characters: how to quote the word at
  // start (up to whitespace), if that word is a valid name.
  std::string QuoteHint(std::size_t start) const {
    std::size_t end = text_.find_first_of(" \t\r\n", start);
    if (end == std::string_view::npos) end = text_.size();
    const std::string_view word = text_.substr(start, end - start);
    if (NameProblem(word) != nullptr) return "";
    return " (a name with other characters than letters, digits and '_' is double-quoted: " +
           nlohmann::json(std::string(word)).dump() + ")";
  }

  void ExpectSecondWord(std::string_view second, std::string_view first) {
    if (!IsKeyword(second)) {
      Fail("expected " + std::string(second) + " after " + std::string(first));
    }
    Advance();
  }

  // A collection or relation name: an identifier, or a double-quoted string
  // holding any name the engine accepts (db/validate.h's rule).
  std::string Name(std::string_view what) {
    if (tok_.kind == TokenKind::kString) {
      if (const char* why = NameProblem(tok_.str)) {
        const std::string_view noun = what.substr(what.rfind("a ", 0) == 0 ? 2 : 0);
        Fail("invalid " + std::string(noun) + ": the quoted name " + why + " (a name is " +
             std::string(kNameRule) + ")");
      }
      std::string name = std::move(tok_.str);
      Advance();
      return name;
    }
    if (tok_.kind != TokenKind::kWord) Fail("expected " + std::string(what));
    if (tok_.dotted) {
      Fail("expected " + std::string(what) + " (an identifier without '.')" + QuoteHint(tok_.pos));
    }
    bare_name_ = tok_.pos;
    bare_name_end_ = tok_.pos + tok_.raw.size();
    std::string name(tok_.raw);
    Advance();
    return name;
  }

  FieldPath Field(std::string_view what) {
    if (tok_.kind != TokenKind::kWord) Fail("expected " + std::string(what));
    FieldPath f = MakeFieldPath(tok_.raw);
    Advance();
    return f;
  }

  std::uint64_t Uint(std::string_view what) {
    if (tok_.kind != TokenKind::kNumber || !tok_.plain_digits) {
      Fail("expected " + std::string(what) + " (an unsigned integer)");
    }
    if (!tok_.num.is_number_integer()) {
      Fail("expected " + std::string(what) + " of at most 18446744073709551615");
    }
    std::uint64_t v = tok_.num.is_number_unsigned()
                          ? tok_.num.get<std::uint64_t>()
                          : static_cast<std::uint64_t>(tok_.num.get<std::int64_t>());
    Advance();
    return v;
  }

  Condition ParseCondition() {
    Condition c;
    c.pos = tok_.pos;
    c.field = Field("a field name");
    if (tok_.kind != TokenKind::kOp) Fail("expected a comparison operator (=, !=, <, <=, >, >=)");
    c.op = tok_.op;
    Advance();
    switch (tok_.kind) {
      case TokenKind::kString: c.value = std::move(tok_.str); break;
      case TokenKind::kNumber: c.value = std::move(tok_.num); break;
      default:
        if (IsKeyword("TRUE")) {
          c.value = true;
        } else if (IsKeyword("FALSE")) {
          c.value = false;
        } else if (IsKeyword("NULL")) {
          c.value = nullptr;
        } else {
          std::string what =
              "expected a value (a double-quoted string, a number, true, false or null)";
          if (tok_.kind == TokenKind::kWord || tok_.raw == "'") {
            what += "; strings must be double-quoted";
          }
          Fail(what);
        }
    }
    Advance();
    return c;
  }

  std::string_view text_;
  Lexer lex_;
  Token tok_;
  std::size_t bare_name_ = 0;                           // the last bare name's start
  std::size_t bare_name_end_ = std::string_view::npos;  // and end
};

[[noreturn]] void Invalid(const std::string& what) { throw InvalidArgument("ToNql: " + what); }

void AppendName(std::string& out, std::string_view name, std::string_view what) {
  if (!IsIdentifier(name)) {
    Invalid(std::string(what) + " \"" + NearText(name, 0, name.size()) + "\" is not an identifier");
  }
  out.append(name);
}

// A collection or relation name: bare when it is an identifier, else quoted.
void AppendCollName(std::string& out, const std::string& name, std::string_view what) {
  if (IsIdentifier(name)) {
    out.append(name);
  } else if (const char* why = NameProblem(name)) {
    Invalid(std::string(what) + " \"" + NearText(name, 0, name.size()) + "\" " + why);
  } else {
    out += nlohmann::json(name).dump();
  }
}

void AppendField(std::string& out, const FieldPath& f) {
  if (f.parts.empty()) {
    FieldPath parsed;
    try {
      parsed = ParseFieldPath(f.text);
    } catch (const QueryError& e) {
      Invalid(std::string("invalid field path: ") + e.what());
    }
    AppendField(out, parsed);
    return;
  }
  for (std::size_t k = 0; k < f.parts.size(); ++k) {
    if (k > 0) out += '.';
    AppendName(out, f.parts[k], "field path part");
  }
}

void AppendString(std::string& out, const std::string& s) {
  try {
    out += nlohmann::json(s).dump();
  } catch (const nlohmann::json::exception&) {
    Invalid("string is not valid UTF-8");
  }
}

void AppendValue(std::string& out, const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::string:
      AppendString(out, v.get_ref<const std::string&>());
      return;
    case nlohmann::json::value_t::number_float:
      if (!std::isfinite(v.get<double>())) Invalid("non-finite number");
      [[fallthrough]];
    case nlohmann::json::value_t::null:
    case nlohmann::json::value_t::boolean:
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned: out += v.dump(); return;
    default: Invalid(std::string("a ") + v.type_name() + " cannot be a WHERE value");
  }
}

}  // namespace

Query Parse(std::string_view text) {
  if (text.size() > kMaxQueryBytes) {
    throw QueryError("NQL query too long at position " + std::to_string(kMaxQueryBytes) +
                         ": expected at most " + std::to_string(kMaxQueryBytes) + " bytes, got " +
                         std::to_string(text.size()),
                     kMaxQueryBytes);
  }
  return Parser(text).Run();
}

FieldPath ParseFieldPath(std::string_view text) {
  std::size_t start = 0;
  for (;;) {
    std::size_t dot = text.find('.', start);
    std::size_t end = dot == std::string_view::npos ? text.size() : dot;
    if (!IsIdentifier(text.substr(start, end - start))) {
      throw SyntaxError(text, start, end - start,
                        "expected a field path: identifier ('.' identifier)*, each identifier "
                        "[A-Za-z_][A-Za-z0-9_]* of at most 128 bytes");
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return MakeFieldPath(text);
}

std::string ToNql(const Query& q) {
  std::string out = "FROM ";
  AppendCollName(out, q.coll, "collection");
  if (q.as_of) out += " AS OF " + std::to_string(*q.as_of);
  for (std::size_t k = 0; k < q.where.size(); ++k) {
    const Condition& c = q.where[k];
    out += k == 0 ? " WHERE " : " AND ";
    AppendField(out, c.field);
    out += ' ';
    out.append(CmpOpText(c.op));
    out += ' ';
    AppendValue(out, c.value);
  }
  if (q.search) {
    out += " SEARCH ";
    AppendString(out, *q.search);
  }
  if (q.order_by) {
    out += " ORDER BY ";
    AppendField(out, q.order_by->field);
    if (q.order_by->desc) out += " DESC";
  }
  if (q.traverse) {
    out += " TRAVERSE ";
    AppendCollName(out, *q.traverse, "relation");
  }
  if (q.group_by) {
    const GroupBy& g = *q.group_by;
    out += " GROUP BY ";
    AppendField(out, g.field);
    out += ' ';
    out.append(AggFnText(g.fn));
    if ((g.fn == AggFn::kCount) == g.agg_field.has_value()) {
      Invalid("GROUP BY agg_field must be set exactly when the function is not COUNT");
    }
    if (g.agg_field) {
      out += ' ';
      AppendField(out, *g.agg_field);
    }
  }
  if (q.limit) out += " LIMIT " + std::to_string(*q.limit);
  return out;
}

}  // namespace nedb::nql

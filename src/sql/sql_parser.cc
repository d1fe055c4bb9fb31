#include "sql/sql_parser.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>

#include "query/nql_lexer.h"
#include "sql/sql_lexer.h"

namespace nedb::sql {

std::string Column::Path() const {
  std::string out;
  for (std::size_t k = 0; k < parts.size(); ++k) {
    if (k > 0) out += '.';
    out += parts[k];
  }
  return out;
}

namespace {

constexpr std::string_view kReserved[] = {
    "ALL",    "AND",      "AS",     "ASC",   "BETWEEN", "BY",     "CASE",    "CROSS",  "DELETE",
    "DESC",   "DISTINCT", "ELSE",   "END",   "ESCAPE",  "EXCEPT", "EXISTS",  "FALSE",  "FETCH",
    "FOR",    "FROM",     "FULL",   "GROUP", "HAVING",  "IN",     "INNER",   "INSERT", "INTERSECT",
    "INTO",   "IS",       "JOIN",   "LEFT",  "LIKE",    "LIMIT",  "NATURAL", "NOT",    "NULL",
    "OFFSET", "ON",       "OR",     "ORDER", "OUTER",   "RIGHT",  "SELECT",  "SET",    "THEN",
    "TRUE",   "UNION",    "UPDATE", "USING", "VALUES",  "WHEN",   "WHERE",   "WINDOW", "WITH"};

bool IsReserved(std::string_view word) {
  return std::any_of(std::begin(kReserved), std::end(kReserved),
                     [&](std::string_view k) { return nql::EqualsKeyword(word, k); });
}

void ResolveId(Column& c) {
  if (c.parts.size() == 1 && c.parts[0] == "id") c.parts[0] = "_id";
}

// The document id is a string: a number compared with it compares as text.
void CoerceIdValue(const Expr& column, Expr& value) {
  if (column.kind != ExprKind::kColumn || value.kind != ExprKind::kLiteral) return;
  if (column.column.parts != std::vector<std::string>{"_id"} || !value.value.is_number()) return;
  value.value = value.value.dump();
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text), lex_(text) {}

  Statement Run() {
    Advance();
    Statement st;
    if (IsKeyword("SELECT")) {
      st = ParseSelect();
    } else if (IsKeyword("INSERT")) {
      st = ParseInsert();
    } else if (IsKeyword("UPDATE")) {
      st = ParseUpdate();
    } else if (IsKeyword("DELETE")) {
      st = ParseDelete();
    } else if (tok_.kind == TokenKind::kWord) {
      static constexpr std::string_view kKnown[] = {
          "WITH",    "CREATE", "DROP",     "ALTER",  "BEGIN", "COMMIT", "ROLLBACK", "EXPLAIN",
          "REPLACE", "MERGE",  "TRUNCATE", "PRAGMA", "GRANT", "VALUES", "UPSERT"};
      for (std::string_view k : kKnown) {
        if (IsKeyword(k)) {
          Unsup(std::string(k) +
                " statements (NEDB runs SELECT, INSERT, UPDATE and DELETE; collections need no "
                "schema)");
        }
      }
      Fail("expected SELECT, INSERT, UPDATE or DELETE");
    } else {
      Fail("expected SELECT, INSERT, UPDATE or DELETE");
    }
    if (IsPunct(";")) {
      Advance();
      if (tok_.kind != TokenKind::kEnd)
        Unsup("several statements in one call (send one at a time)");
    }
    if (tok_.kind != TokenKind::kEnd) Fail("expected end of statement");
    return st;
  }

 private:
  // ---- tokens ----
  void Advance() { tok_ = lex_.Next(); }
  Token Peek() const {
    Lexer copy = lex_;
    return copy.Next();
  }
  bool IsKeyword(std::string_view upper) const {
    return tok_.kind == TokenKind::kWord && nql::EqualsKeyword(tok_.raw, upper);
  }
  bool IsPunct(std::string_view p) const { return tok_.kind == TokenKind::kPunct && tok_.raw == p; }
  [[noreturn]] void Fail(std::string_view what) const {
    throw SyntaxError(text_, tok_.pos, tok_.raw.size(), what);
  }
  [[noreturn]] void Unsup(std::string_view what) const {
    throw Unsupported(text_, tok_.pos, tok_.raw.size(), what);
  }
  void Expect(std::string_view keyword) {
    if (!IsKeyword(keyword)) Fail("expected " + std::string(keyword));
    Advance();
  }
  void ExpectPunct(std::string_view p) {
    if (!IsPunct(p)) Fail("expected '" + std::string(p) + "'");
    Advance();
  }

  // ---- names ----
  bool AtName() const {
    return tok_.kind == TokenKind::kQuoted ||
           (tok_.kind == TokenKind::kWord && !IsReserved(tok_.raw));
  }
  std::string Name(std::string_view what) {
    if (!AtName()) {
      std::string w = "expected " + std::string(what);
      if (tok_.kind == TokenKind::kWord) w += " (a reserved word must be double-quoted)";
      if (tok_.kind == TokenKind::kString)
        w += " (identifiers are double-quoted, strings single-quoted)";
      Fail(w);
    }
    std::string n = tok_.kind == TokenKind::kQuoted ? std::move(tok_.str) : std::string(tok_.raw);
    Advance();
    return n;
  }
  std::string Table(std::size_t* pos) {
    *pos = tok_.pos;
    const std::size_t len = tok_.raw.size();
    std::string t = Name("a table (collection) name");
    if (IsPunct(".")) Unsup("schema-qualified table names");
    if (!nql::IsIdentifier(t)) {
      throw StatementError(text_, *pos, len,
                           "a table name must be a collection name: letters, digits and '_', not "
                           "starting with a digit, at most 128 bytes");
    }
    return t;
  }
  Column ParseColumn() {
    Column c;
    c.pos = tok_.pos;
    c.parts.push_back(Name("a column name"));
    while (IsPunct(".")) {
      Advance();
      if (IsPunct("*")) Unsup("table.* (use SELECT *)");
      c.parts.push_back(Name("a column name after '.'"));
    }
    c.name = c.Path();
    ResolveId(c);
    return c;
  }

  // ---- literals ----
  bool AtLiteral() const {
    return tok_.kind == TokenKind::kString || tok_.kind == TokenKind::kNumber ||
           IsKeyword("TRUE") || IsKeyword("FALSE") || IsKeyword("NULL") ||
           ((IsPunct("-") || IsPunct("+")) && Peek().kind == TokenKind::kNumber);
  }
  nlohmann::json Literal(std::string_view what) {
    if (!AtLiteral()) {
      CheckUnsupportedOperand();
      Fail("expected " + std::string(what) + " (a 'string', a number, TRUE, FALSE or NULL)" +
           (tok_.kind == TokenKind::kQuoted ? "; strings are single-quoted" : ""));
    }
    nlohmann::json v;
    if (tok_.kind == TokenKind::kString) {
      v = std::move(tok_.str);
    } else if (IsKeyword("TRUE")) {
      v = true;
    } else if (IsKeyword("FALSE")) {
      v = false;
    } else if (IsKeyword("NULL")) {
      v = nullptr;
    } else {
      bool neg = false;
      if (tok_.kind == TokenKind::kPunct) {
        neg = tok_.raw == "-";
        Advance();
      }
      v = neg ? Negate(tok_.num) : tok_.num;
    }
    Advance();
    return v;
  }
  static nlohmann::json Negate(const nlohmann::json& n) {
    if (n.is_number_unsigned()) {
      const std::uint64_t u = n.get<std::uint64_t>();
      if (u == std::uint64_t{1} << 63) return INT64_MIN;
      return -static_cast<double>(u);
    }
    if (n.is_number_integer()) return -n.get<std::int64_t>();
    return -n.get<double>();
  }
  std::uint64_t Count(std::string_view what) {
    if (tok_.kind != TokenKind::kNumber || !tok_.num.is_number_integer()) {
      if (IsPunct("?") || IsPunct(":") || IsPunct("$")) Unsup("query parameters");
      Fail("expected " + std::string(what) + " (a non-negative integer)");
    }
    std::uint64_t v = tok_.num.is_number_unsigned()
                          ? tok_.num.get<std::uint64_t>()
                          : static_cast<std::uint64_t>(tok_.num.get<std::int64_t>());
    Advance();
    return v;
  }

  // Operands NEDB recognises but does not run.
  void CheckUnsupportedOperand() const {
    if (IsPunct("?") || IsPunct(":") || IsPunct("$")) Unsup("query parameters");
    if (IsPunct("(") && Peek().kind == TokenKind::kWord) {
      Lexer copy = lex_;
      Token t = copy.Next();
      if (nql::EqualsKeyword(t.raw, "SELECT") || nql::EqualsKeyword(t.raw, "WITH")) {
        Unsup("subqueries");
      }
    }
    if (IsKeyword("EXISTS")) Unsup("EXISTS (subqueries)");
    if (IsKeyword("CASE")) Unsup("CASE expressions");
    if (tok_.kind == TokenKind::kWord && !IsReserved(tok_.raw) &&
        Peek().kind == TokenKind::kPunct && Peek().raw == "(") {
      static constexpr std::string_view kAggs[] = {"COUNT", "SUM", "AVG", "MIN", "MAX"};
      for (std::string_view a : kAggs) {
        if (nql::EqualsKeyword(tok_.raw, a)) {
          Unsup("aggregate " + std::string(a) + "() here (aggregates belong in the SELECT list)");
        }
      }
      Unsup("function " + std::string(tok_.raw) + "() (NEDB's SQL has no scalar functions)");
    }
  }
  void CheckNoArithmetic() const {
    static constexpr std::string_view kArith[] = {"+", "-", "*", "/", "%", "|", "&", "^", "~"};
    for (std::string_view a : kArith) {
      if (IsPunct(a)) Unsup("arithmetic and string operators (" + std::string(a) + ")");
    }
  }

  // ---- expressions ----
  Expr Operand() {
    CheckUnsupportedOperand();
    Expr e;
    e.pos = tok_.pos;
    if (AtLiteral()) {
      e.kind = ExprKind::kLiteral;
      e.value = Literal("a value");
    } else if (AtName()) {
      e.kind = ExprKind::kColumn;
      e.column = ParseColumn();
    } else {
      Fail("expected a column or a value");
    }
    CheckNoArithmetic();
    return e;
  }

  void Enter() {
    if (++depth_ > kMaxNesting) {
      Unsup("expressions nested deeper than " + std::to_string(kMaxNesting) + " levels");
    }
  }

  Expr ParseOr() {
    Enter();
    Expr e = Chain(ExprKind::kOr, "OR", &Parser::ParseAnd);
    --depth_;
    return e;
  }

  Expr ParseAnd() { return Chain(ExprKind::kAnd, "AND", &Parser::ParseNot); }

  // operand (keyword operand)*: one n-ary kind node, or the operand alone.
  Expr Chain(ExprKind kind, std::string_view keyword, Expr (Parser::*operand)()) {
    Expr first = (this->*operand)();
    if (!IsKeyword(keyword)) return first;
    Expr e;
    e.kind = kind;
    e.pos = first.pos;
    e.args.push_back(std::move(first));
    while (IsKeyword(keyword)) {
      Advance();
      e.args.push_back((this->*operand)());
    }
    return e;
  }

  Expr ParseNot() {
    if (!IsKeyword("NOT")) return ParsePredicate();
    Expr e;
    e.kind = ExprKind::kNot;
    e.pos = tok_.pos;
    Advance();
    Enter();
    e.args.push_back(ParseNot());
    --depth_;
    return e;
  }

  Expr ParsePredicate() {
    CheckUnsupportedOperand();
    if (IsPunct("(")) {
      Advance();
      Expr inner = ParseOr();
      ExpectPunct(")");
      return inner;
    }
    Expr lhs = Operand();
    Expr e;
    e.pos = lhs.pos;
    if (tok_.kind == TokenKind::kOp) {
      e.kind = ExprKind::kCompare;
      e.op = tok_.op;
      Advance();
      if (IsKeyword("ANY") || IsKeyword("ALL") || IsKeyword("SOME")) Unsup("ANY/ALL (subqueries)");
      Expr rhs = Operand();
      CoerceIdValue(lhs, rhs);
      CoerceIdValue(rhs, lhs);
      e.args.push_back(std::move(lhs));
      e.args.push_back(std::move(rhs));
      return e;
    }
    if (IsKeyword("IS")) {
      Advance();
      e.kind = ExprKind::kIsNull;
      if (IsKeyword("NOT")) {
        e.negated = true;
        Advance();
      }
      if (IsKeyword("TRUE") || IsKeyword("FALSE") || IsKeyword("DISTINCT") ||
          IsKeyword("UNKNOWN")) {
        Unsup("IS " + std::string(tok_.raw) + " (use = TRUE, = FALSE)");
      }
      Expect("NULL");
      e.args.push_back(std::move(lhs));
      return e;
    }
    if (IsKeyword("NOT")) {
      e.negated = true;
      Advance();
      if (!IsKeyword("IN") && !IsKeyword("BETWEEN") && !IsKeyword("LIKE")) {
        Fail("expected IN, BETWEEN or LIKE after NOT");
      }
    }
    if (IsKeyword("IN")) {
      e.kind = ExprKind::kIn;
      Advance();
      CheckUnsupportedOperand();
      ExpectPunct("(");
      e.args.push_back(std::move(lhs));
      for (;;) {
        Expr item;
        item.pos = tok_.pos;
        item.value = Literal("a value in the IN list");
        CoerceIdValue(e.args[0], item);
        e.args.push_back(std::move(item));
        if (!IsPunct(",")) break;
        Advance();
      }
      ExpectPunct(")");
      return e;
    }
    if (IsKeyword("BETWEEN")) {
      e.kind = ExprKind::kBetween;
      Advance();
      e.args.push_back(std::move(lhs));
      for (int k = 0; k < 2; ++k) {
        if (k == 1) Expect("AND");
        Expr bound;
        bound.pos = tok_.pos;
        bound.value = Literal("a BETWEEN bound");
        CoerceIdValue(e.args[0], bound);
        e.args.push_back(std::move(bound));
      }
      return e;
    }
    if (IsKeyword("LIKE")) {
      e.kind = ExprKind::kLike;
      Advance();
      if (tok_.kind != TokenKind::kString) {
        CheckUnsupportedOperand();
        Fail("expected a LIKE pattern (a 'string')");
      }
      e.pattern = std::move(tok_.str);
      Advance();
      if (IsKeyword("ESCAPE")) {
        Advance();
        if (tok_.kind != TokenKind::kString || tok_.str.size() != 1) {
          Fail("expected an ESCAPE character (a one-character 'string')");
        }
        e.escape = tok_.str[0];
        Advance();
      }
      e.args.push_back(std::move(lhs));
      return e;
    }
    if (IsKeyword("ILIKE") || IsKeyword("GLOB") || IsKeyword("REGEXP") || IsKeyword("SIMILAR") ||
        IsKeyword("MATCH")) {
      Unsup(std::string(tok_.raw) + " (use LIKE)");
    }
    // A bare operand: a column is tested for TRUE, TRUE/FALSE stand for
    // themselves.
    if (lhs.kind == ExprKind::kColumn) {
      e.kind = ExprKind::kCompare;
      Expr t;
      t.pos = lhs.pos;
      t.value = true;
      e.args.push_back(std::move(lhs));
      e.args.push_back(std::move(t));
      return e;
    }
    if (lhs.value.is_boolean()) return lhs;
    Fail("expected a comparison (=, !=, <>, <, <=, >, >=, IN, BETWEEN, LIKE or IS NULL)");
  }

  std::optional<Expr> OptionalWhere() {
    if (!IsKeyword("WHERE")) return std::nullopt;
    Advance();
    return ParseOr();
  }

  // ---- SELECT ----
  bool AtAggregateCall() const {
    if (tok_.kind != TokenKind::kWord) return false;
    const Token next = Peek();
    if (next.kind != TokenKind::kPunct || next.raw != "(") return false;
    for (std::string_view a : {"COUNT", "SUM", "AVG", "MIN", "MAX"}) {
      if (nql::EqualsKeyword(tok_.raw, a)) return true;
    }
    return false;
  }

  SelectItem ParseItem() {
    SelectItem it;
    it.pos = tok_.pos;
    static constexpr std::pair<std::string_view, AggKind> kAggs[] = {{"COUNT", AggKind::kCount},
                                                                     {"SUM", AggKind::kSum},
                                                                     {"AVG", AggKind::kAvg},
                                                                     {"MIN", AggKind::kMin},
                                                                     {"MAX", AggKind::kMax}};
    const bool call =
        tok_.kind == TokenKind::kWord && Peek().kind == TokenKind::kPunct && Peek().raw == "(";
    if (call) {
      for (const auto& [name, kind] : kAggs) {
        if (nql::EqualsKeyword(tok_.raw, name)) it.agg = kind;
      }
      if (it.agg == AggKind::kNone) CheckUnsupportedOperand();
      Advance();
      Advance();
      if (IsKeyword("DISTINCT")) Unsup("DISTINCT in an aggregate");
      if (IsPunct("*")) {
        if (it.agg != AggKind::kCount) Fail("expected a column ('*' only in COUNT(*))");
        Advance();
      } else {
        if (IsKeyword("ALL")) Advance();
        CheckUnsupportedOperand();
        it.column = ParseColumn();
        CheckNoArithmetic();
      }
      ExpectPunct(")");
      if (IsKeyword("OVER") || IsKeyword("FILTER")) Unsup("window functions and FILTER");
    } else {
      if (AtLiteral()) Unsup("values and expressions in the SELECT list (select columns)");
      CheckUnsupportedOperand();
      if (IsPunct("*")) Fail("expected a column ('*' must stand alone)");
      it.column = ParseColumn();
      if (IsPunct("*")) Unsup("table.* (use SELECT *)");
      CheckNoArithmetic();
    }
    if (IsKeyword("AS")) {
      Advance();
      it.alias = Name("an alias after AS");
    } else if (AtName()) {
      it.alias = Name("an alias");
    }
    return it;
  }

  Select ParseSelect() {
    Select s;
    Advance();
    if (IsKeyword("DISTINCT")) Unsup("SELECT DISTINCT (use GROUP BY)");
    if (IsKeyword("ALL")) Advance();
    if (IsPunct("*")) {
      s.star = true;
      Advance();
    } else {
      for (;;) {
        s.items.push_back(ParseItem());
        if (!IsPunct(",")) break;
        Advance();
      }
    }
    if (!IsKeyword("FROM")) {
      if (IsPunct(",") && s.star) Unsup("* with other columns");
      Fail(s.star || !s.items.empty() ? "expected FROM or ','" : "expected FROM");
    }
    Advance();
    CheckUnsupportedOperand();
    if (IsPunct("(")) Fail("expected a table name");
    s.table = Table(&s.table_pos);
    std::string alias;
    for (int k = 0; k < 2; ++k) {
      if (IsKeyword("AS") && Peek().kind == TokenKind::kWord &&
          nql::EqualsKeyword(Peek().raw, "OF")) {
        if (s.as_of) Fail("expected one AS OF");
        Advance();
        Advance();
        s.as_of = Count("a sequence number after AS OF");
      } else if (k == 0 && alias.empty()) {
        if (IsKeyword("AS")) {
          Advance();
          alias = Name("a table alias");
        } else if (AtName()) {
          alias = Name("a table alias");
        }
      }
    }
    CheckJoin();
    if (IsKeyword("FOR")) Unsup("FOR SYSTEM_TIME (use AS OF <seq>)");
    s.where = OptionalWhere();
    if (IsKeyword("GROUP")) {
      Advance();
      Expect("BY");
      for (;;) {
        CheckUnsupportedOperand();
        s.group_by.push_back(ParseColumn());
        CheckNoArithmetic();
        if (!IsPunct(",")) break;
        Advance();
      }
    }
    if (IsKeyword("HAVING")) Unsup("HAVING (filter the grouped rows in your code)");
    if (IsKeyword("WINDOW")) Unsup("WINDOW");
    if (IsKeyword("ORDER")) {
      Advance();
      Expect("BY");
      for (;;) {
        OrderKey k;
        if (tok_.kind == TokenKind::kNumber) Unsup("ORDER BY a column number (name the column)");
        if (AtAggregateCall()) {
          SelectItem it = ParseItem();
          if (!it.alias.empty()) Fail("expected ASC, DESC, ',' or the end of ORDER BY");
          k.agg = it.agg;
          if (it.column) k.column = std::move(*it.column);
          k.column.pos = it.pos;
          k.column.name = std::string(text_.substr(it.pos, tok_.pos - it.pos));
          while (!k.column.name.empty() && k.column.name.back() == ' ') k.column.name.pop_back();
        } else {
          CheckUnsupportedOperand();
          k.column = ParseColumn();
          CheckNoArithmetic();
        }
        if (IsKeyword("ASC")) {
          Advance();
        } else if (IsKeyword("DESC")) {
          k.desc = true;
          Advance();
        }
        if (IsKeyword("NULLS")) Unsup("NULLS FIRST/LAST (missing and null sort lowest)");
        s.order_by.push_back(std::move(k));
        if (!IsPunct(",")) break;
        Advance();
      }
    }
    if (IsKeyword("LIMIT")) {
      Advance();
      std::uint64_t first = Count("a row count after LIMIT");
      if (IsPunct(",")) {
        Advance();
        s.offset = first;
        s.limit = Count("a row count after LIMIT offset,");
      } else {
        s.limit = first;
      }
    }
    if (IsKeyword("OFFSET")) {
      if (s.offset) Fail("expected one OFFSET");
      Advance();
      s.offset = Count("a row count after OFFSET");
      if (IsKeyword("ROWS") || IsKeyword("ROW")) Advance();
    }
    if (IsKeyword("FETCH")) Unsup("FETCH FIRST (use LIMIT)");
    if (IsKeyword("UNION") || IsKeyword("INTERSECT") || IsKeyword("EXCEPT")) {
      Unsup(std::string(tok_.raw) + " (run the SELECTs separately)");
    }
    if (IsKeyword("FOR")) Unsup("FOR UPDATE / FOR SHARE");
    StripQualifiers(s, alias);
    return s;
  }

  void CheckJoin() {
    static constexpr std::string_view kJoin[] = {"JOIN", "INNER", "LEFT",    "RIGHT",
                                                 "FULL", "CROSS", "NATURAL", "OUTER"};
    for (std::string_view k : kJoin) {
      if (IsKeyword(k)) Unsup("JOIN (NEDB collections are queried one at a time)");
    }
    if (IsPunct(",")) Unsup("JOIN (several tables in FROM)");
  }

  // table.col and alias.col name col.
  void StripQualifiers(Select& s, const std::string& alias) {
    auto strip = [&](Column& c) {
      if (c.parts.size() > 1 &&
          (c.parts[0] == s.table || (!alias.empty() && c.parts[0] == alias))) {
        c.parts.erase(c.parts.begin());
        c.name = c.Path();
        ResolveId(c);
      }
    };
    for (SelectItem& it : s.items) {
      if (it.column) strip(*it.column);
    }
    for (Column& c : s.group_by) strip(c);
    for (OrderKey& k : s.order_by) strip(k.column);
    if (s.where) StripExpr(*s.where, strip);
  }
  template <typename F>
  void StripExpr(Expr& e, const F& strip) {
    if (e.kind == ExprKind::kColumn) strip(e.column);
    for (Expr& a : e.args) StripExpr(a, strip);
    // Coercion of id literals again, now that a qualified id is resolved.
    if (e.kind == ExprKind::kCompare) {
      CoerceIdValue(e.args[0], e.args[1]);
      CoerceIdValue(e.args[1], e.args[0]);
    } else if (e.kind == ExprKind::kIn || e.kind == ExprKind::kBetween) {
      for (std::size_t k = 1; k < e.args.size(); ++k) CoerceIdValue(e.args[0], e.args[k]);
    }
  }

  // ---- writes ----
  Insert ParseInsert() {
    Insert ins;
    Advance();
    if (IsKeyword("OR")) Unsup("INSERT OR ... (INSERT already replaces a row with the same id)");
    Expect("INTO");
    ins.table = Table(&ins.table_pos);
    if (!IsPunct("(")) {
      if (IsKeyword("VALUES")) {
        Unsup("INSERT without a column list (NEDB collections have no schema: name the columns)");
      }
      if (IsKeyword("SELECT")) Unsup("INSERT ... SELECT");
      if (IsKeyword("DEFAULT")) Unsup("DEFAULT VALUES");
      Fail("expected '(' and a column list");
    }
    const std::size_t cols_pos = tok_.pos;
    Advance();
    int id_col = -1;
    for (;;) {
      const std::size_t pos = tok_.pos;
      Column c = ParseColumn();
      for (const Column& prev : ins.columns) {
        if (prev.parts == c.parts)
          throw StatementError(text_, pos, c.name.size(), "duplicate column");
      }
      if (c.parts == std::vector<std::string>{"_id"}) id_col = static_cast<int>(ins.columns.size());
      ins.columns.push_back(std::move(c));
      if (!IsPunct(",")) break;
      Advance();
    }
    ExpectPunct(")");
    if (id_col < 0) {
      throw StatementError(text_, cols_pos, 1,
                           "INSERT needs an id or _id column (the document id)");
    }
    if (IsKeyword("SELECT")) Unsup("INSERT ... SELECT");
    Expect("VALUES");
    for (;;) {
      const std::size_t row_pos = tok_.pos;
      ExpectPunct("(");
      std::vector<nlohmann::json> row;
      for (;;) {
        if (IsKeyword("DEFAULT")) Unsup("DEFAULT values");
        row.push_back(Literal("a value"));
        CheckNoArithmetic();
        if (!IsPunct(",")) break;
        Advance();
      }
      if (row.size() != ins.columns.size()) {
        throw StatementError(text_, row_pos, 1,
                             "a row has " + std::to_string(row.size()) + " values for " +
                                 std::to_string(ins.columns.size()) + " columns");
      }
      const nlohmann::json& id = row[static_cast<std::size_t>(id_col)];
      if (!(id.is_string() && !id.get_ref<const std::string&>().empty()) &&
          !id.is_number_integer()) {
        throw StatementError(text_, row_pos, 1, "the id must be a non-empty string or an integer");
      }
      ExpectPunct(")");
      ins.rows.push_back(std::move(row));
      ins.row_pos.push_back(row_pos);
      if (!IsPunct(",")) break;
      Advance();
    }
    if (IsKeyword("ON"))
      Unsup("ON CONFLICT / ON DUPLICATE KEY (INSERT replaces a row with the same id)");
    if (IsKeyword("RETURNING")) Unsup("RETURNING");
    return ins;
  }

  Update ParseUpdate() {
    Update up;
    Advance();
    up.table = Table(&up.table_pos);
    Expect("SET");
    for (;;) {
      if (IsPunct("(")) Unsup("SET (a, b) = (...) (assign each column)");
      const std::size_t pos = tok_.pos;
      Assignment a;
      a.column = ParseColumn();
      if (a.column.parts == std::vector<std::string>{"_id"}) {
        throw Unsupported(text_, pos, a.column.name.size(),
                          "changing a row's id (insert a new row)");
      }
      if (tok_.kind != TokenKind::kOp || tok_.op != nql::CmpOp::kEq || tok_.raw != "=") {
        Fail("expected '='");
      }
      Advance();
      if (AtName() && !AtLiteral()) Unsup("expressions in SET (assign a value)");
      a.value = Literal("a value");
      CheckNoArithmetic();
      up.sets.push_back(std::move(a));
      if (!IsPunct(",")) break;
      Advance();
    }
    if (IsKeyword("FROM")) Unsup("UPDATE ... FROM (joins)");
    up.where = OptionalWhere();
    if (IsKeyword("ORDER") || IsKeyword("LIMIT")) Unsup("ORDER BY / LIMIT in UPDATE");
    if (IsKeyword("RETURNING")) Unsup("RETURNING");
    return up;
  }

  Delete ParseDelete() {
    Delete del;
    Advance();
    Expect("FROM");
    del.table = Table(&del.table_pos);
    if (IsKeyword("USING")) Unsup("DELETE ... USING (joins)");
    del.where = OptionalWhere();
    if (IsKeyword("ORDER") || IsKeyword("LIMIT")) Unsup("ORDER BY / LIMIT in DELETE");
    if (IsKeyword("RETURNING")) Unsup("RETURNING");
    return del;
  }

  std::string_view text_;
  Lexer lex_;
  Token tok_;
  int depth_ = 0;
};

}  // namespace

Statement Parse(std::string_view text) {
  if (text.size() > kMaxSqlBytes) {
    throw SQLSyntaxError("SQL statement too long at position " + std::to_string(kMaxSqlBytes) +
                             ": expected at most " + std::to_string(kMaxSqlBytes) + " bytes, got " +
                             std::to_string(text.size()),
                         kMaxSqlBytes);
  }
  return Parser(text).Run();
}

}  // namespace nedb::sql

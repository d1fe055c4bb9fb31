// SPDX-License-Identifier: Apache-2.0
// The NQL front end: lexer, parser, canonical printer (ToNql) and their
// round-trip property. The suite is named nqlParserTest so that
// `ctest -R nql` selects it.
#include "query/nql_parser.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <locale>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "nedb/errors.h"
#include "query/ast.h"
#include "query/nql_lexer.h"

namespace nedb::nql {
namespace {

using json = nlohmann::json;

FieldPath F(const std::string& text) { return ParseFieldPath(text); }

Condition C(const std::string& field, CmpOp op, json value) {
  Condition c;
  c.field = F(field);
  c.op = op;
  c.value = std::move(value);
  return c;
}

// Parses, checks the round trip, and returns the query.
Query P(std::string_view text) {
  Query q = Parse(text);
  std::string canon = ToNql(q);
  Query again = Parse(canon);
  EXPECT_EQ(again, q) << "round trip of " << text << " via " << canon;
  EXPECT_EQ(ToNql(again), canon) << "canonical text is not a fixed point: " << canon;
  return q;
}

// ---------------------------------------------------------------- clauses

TEST(nqlParserTest, FromOnly) {
  Query q = P("FROM users");
  Query want;
  want.coll = "users";
  EXPECT_EQ(q, want);
  EXPECT_EQ(ToNql(q), "FROM users");
}

TEST(nqlParserTest, AsOf) {
  Query q = P("FROM users AS OF 42");
  ASSERT_TRUE(q.as_of);
  EXPECT_EQ(*q.as_of, 42u);
  EXPECT_EQ(*P("FROM users AS OF 0").as_of, 0u);
  EXPECT_EQ(*P("FROM users AS OF 18446744073709551615").as_of,
            std::numeric_limits<std::uint64_t>::max());
}

TEST(nqlParserTest, WhereSingleAndMultiple) {
  Query q = P(R"(FROM users WHERE age >= 25 AND status = "active" AND _id != "bob")");
  ASSERT_EQ(q.where.size(), 3u);
  EXPECT_EQ(q.where[0], C("age", CmpOp::kGe, 25));
  EXPECT_EQ(q.where[1], C("status", CmpOp::kEq, "active"));
  EXPECT_EQ(q.where[2], C("_id", CmpOp::kNe, "bob"));
  EXPECT_EQ(q.where[0].pos, 17u);
  EXPECT_EQ(q.where[1].pos, 31u);
  EXPECT_EQ(q.where[2].pos, 53u);
}

TEST(nqlParserTest, AllOperators) {
  const std::pair<const char*, CmpOp> ops[] = {{"=", CmpOp::kEq}, {"!=", CmpOp::kNe},
                                               {"<", CmpOp::kLt}, {"<=", CmpOp::kLe},
                                               {">", CmpOp::kGt}, {">=", CmpOp::kGe}};
  for (const auto& [text, op] : ops) {
    EXPECT_EQ(CmpOpText(op), text);
    for (const char* sep : {" ", ""}) {
      std::string nql = std::string("FROM t WHERE x") + sep + text + sep + "1";
      Query q = P(nql);
      ASSERT_EQ(q.where.size(), 1u) << nql;
      EXPECT_EQ(q.where[0], C("x", op, 1)) << nql;
    }
  }
}

TEST(nqlParserTest, Search) {
  EXPECT_EQ(*P(R"(FROM users SEARCH "systems engineer")").search, "systems engineer");
  EXPECT_EQ(*P(R"(FROM users SEARCH "")").search, "");
  EXPECT_EQ(*P(R"(FROM users SEARCH"x")").search, "x");
}

TEST(nqlParserTest, OrderBy) {
  Query q = P("FROM users ORDER BY age");
  ASSERT_TRUE(q.order_by);
  EXPECT_EQ(q.order_by->field, F("age"));
  EXPECT_FALSE(q.order_by->desc);
  EXPECT_FALSE(P("FROM users ORDER BY age ASC").order_by->desc);
  EXPECT_TRUE(P("FROM users ORDER BY age DESC").order_by->desc);
  EXPECT_EQ(ToNql(P("FROM users ORDER BY age ASC")), "FROM users ORDER BY age");
  EXPECT_EQ(ToNql(P("FROM users ORDER BY age desc")), "FROM users ORDER BY age DESC");
}

TEST(nqlParserTest, Traverse) {
  EXPECT_EQ(*P("FROM users TRAVERSE follows").traverse, "follows");
  EXPECT_EQ(*P("FROM users TRAVERSE Follows_2").traverse, "Follows_2");
}

TEST(nqlParserTest, GroupByEveryFunction) {
  Query q = P("FROM orders GROUP BY status COUNT");
  ASSERT_TRUE(q.group_by);
  EXPECT_EQ(q.group_by->field, F("status"));
  EXPECT_EQ(q.group_by->fn, AggFn::kCount);
  EXPECT_FALSE(q.group_by->agg_field);
  const std::pair<const char*, AggFn> fns[] = {
      {"SUM", AggFn::kSum}, {"AVG", AggFn::kAvg}, {"MIN", AggFn::kMin}, {"MAX", AggFn::kMax}};
  for (const auto& [text, fn] : fns) {
    EXPECT_EQ(AggFnText(fn), text);
    Query g = P(std::string("FROM sales GROUP BY region ") + text + " revenue.net");
    ASSERT_TRUE(g.group_by);
    EXPECT_EQ(g.group_by->fn, fn);
    ASSERT_TRUE(g.group_by->agg_field);
    EXPECT_EQ(*g.group_by->agg_field, F("revenue.net"));
  }
  EXPECT_EQ(AggFnText(AggFn::kCount), "COUNT");
}

TEST(nqlParserTest, Limit) {
  EXPECT_EQ(*P("FROM orders LIMIT 20").limit, 20u);
  EXPECT_EQ(*P("FROM orders LIMIT 0").limit, 0u);
  EXPECT_EQ(*P("FROM orders LIMIT 18446744073709551615").limit,
            std::numeric_limits<std::uint64_t>::max());
}

TEST(nqlParserTest, EveryClauseAtOnce) {
  Query q =
      P("FROM users AS OF 7 WHERE a.b = 1 AND c < 2.5 SEARCH \"x y\" ORDER BY d DESC "
        "TRAVERSE follows GROUP BY e.f SUM g LIMIT 3");
  Query want;
  want.coll = "users";
  want.as_of = 7;
  want.where = {C("a.b", CmpOp::kEq, 1), C("c", CmpOp::kLt, 2.5)};
  want.search = "x y";
  want.order_by = OrderBy{F("d"), true};
  want.traverse = "follows";
  want.group_by = GroupBy{F("e.f"), AggFn::kSum, F("g")};
  want.limit = 3;
  EXPECT_EQ(q, want);
  EXPECT_EQ(ToNql(q),
            "FROM users AS OF 7 WHERE a.b = 1 AND c < 2.5 SEARCH \"x y\" ORDER BY d DESC "
            "TRAVERSE follows GROUP BY e.f SUM g LIMIT 3");
}

// Every subset of the optional clauses, in order, parses to what was asked.
TEST(nqlParserTest, AllClauseCombinations) {
  const char* parts[] = {
      " AS OF 9",      " WHERE x = \"v\" AND y > -2", " SEARCH \"s\"", " ORDER BY z DESC",
      " TRAVERSE rel", " GROUP BY k MAX v",           " LIMIT 4"};
  for (unsigned mask = 0; mask < (1u << 7); ++mask) {
    std::string nql = "FROM c";
    for (unsigned k = 0; k < 7; ++k) {
      if (mask & (1u << k)) nql += parts[k];
    }
    Query q = P(nql);
    EXPECT_EQ(ToNql(q), nql);
    EXPECT_EQ(q.as_of.has_value(), (mask & 1) != 0);
    EXPECT_EQ(q.where.size(), (mask & 2) ? 2u : 0u);
    EXPECT_EQ(q.search.has_value(), (mask & 4) != 0);
    EXPECT_EQ(q.order_by.has_value(), (mask & 8) != 0);
    EXPECT_EQ(q.traverse.has_value(), (mask & 16) != 0);
    EXPECT_EQ(q.group_by.has_value(), (mask & 32) != 0);
    EXPECT_EQ(q.limit.has_value(), (mask & 64) != 0);
  }
}

// ------------------------------------------------ the reference's examples

struct Example {
  const char* nql;
  const char* canonical;
};

// Every NQL query in the reference, verbatim (f-string placeholders filled
// in). The canonical form doubles as a compact description of the AST.
const Example kReferenceExamples[] = {
    {R"(FROM users WHERE status = "active" ORDER BY age DESC)", nullptr},
    {R"(FROM users SEARCH "systems")", nullptr},
    {R"(FROM users WHERE status = "active" ORDER BY age DESC LIMIT 10)", nullptr},
    {R"(FROM users SEARCH "engineer")", nullptr},
    {R"(FROM users AS OF 5 WHERE age > 25)", nullptr},
    {"FROM users", nullptr},
    {"FROM orders LIMIT 20", nullptr},
    {R"(FROM users WHERE status = "active")", nullptr},
    {R"(FROM users WHERE age >= 25 AND status = "active")", nullptr},
    {R"(FROM orders WHERE total > 100 AND status != "cancelled")", nullptr},
    {R"(FROM users SEARCH "rust")", nullptr},
    {R"(FROM users SEARCH "systems engineer")", nullptr},
    {"FROM users ORDER BY age ASC", "FROM users ORDER BY age"},
    {"FROM users ORDER BY created_at DESC LIMIT 10", nullptr},
    {R"(FROM orders WHERE status = "paid" ORDER BY total DESC)", nullptr},
    {R"(FROM users WHERE _id = "alice" TRAVERSE follows)", nullptr},
    {R"(FROM projects WHERE status = "active" TRAVERSE contains)", nullptr},
    {R"(FROM users AS OF 12 WHERE _id = "alice")", nullptr},  // f'... AS OF {snap} ...'
    {"FROM users AS OF 0", nullptr},
    {"FROM users ORDER BY created_at DESC LIMIT 5", nullptr},
    {R"(FROM users WHERE status = "active" LIMIT 100)", nullptr},
    {"FROM users LIMIT 10", nullptr},                                              // HTTP API
    {R"(FROM users WHERE status = "active" ORDER BY age DESC LIMIT 5)", nullptr},  // curl, SQL
    {"FROM orders AS OF 3", nullptr},                            // sql_exec f"... AS OF {snap}"
    {R"(FROM users WHERE status = "active" LIMIT 5)", nullptr},  // redis EVAL
    {"FROM orders GROUP BY status COUNT", nullptr},
    {"FROM sales GROUP BY region SUM revenue", nullptr},
    {"FROM scores GROUP BY grade AVG score", nullptr},
    {"FROM items GROUP BY category MIN price", nullptr},
    {"FROM items GROUP BY category MAX price", nullptr},
    {R"(FROM orders WHERE region = "EU" GROUP BY status COUNT)", nullptr},
    {"FROM t GROUP BY f COUNT", nullptr},  // changelog
};

TEST(nqlParserTest, ReferenceExamples) {
  for (const Example& e : kReferenceExamples) {
    SCOPED_TRACE(e.nql);
    Query q = P(e.nql);
    EXPECT_EQ(ToNql(q), e.canonical ? e.canonical : e.nql);
  }
  Query q = P(R"(FROM users WHERE status = "active" ORDER BY age DESC LIMIT 10)");
  Query want;
  want.coll = "users";
  want.where = {C("status", CmpOp::kEq, "active")};
  want.order_by = OrderBy{F("age"), true};
  want.limit = 10;
  EXPECT_EQ(q, want);
  Query g = P(R"(FROM orders WHERE region = "EU" GROUP BY status COUNT)");
  EXPECT_EQ(g.group_by, (GroupBy{F("status"), AggFn::kCount, std::nullopt}));
}

// The fluent builder example of the reference, written as NQL.
TEST(nqlParserTest, FluentBuilderEquivalent) {
  Query q = P(R"(FROM users WHERE status = "active" AND age >= 25 ORDER BY age DESC LIMIT 10)");
  Query want;
  want.coll = "users";
  want.where = {C("status", CmpOp::kEq, "active"), C("age", CmpOp::kGe, 25)};
  want.order_by = OrderBy{F("age"), true};
  want.limit = 10;
  EXPECT_EQ(q, want);
  EXPECT_EQ(ToNql(want),
            R"(FROM users WHERE status = "active" AND age >= 25 ORDER BY age DESC LIMIT 10)");
}

// ------------------------------------------------------- lexical details

TEST(nqlParserTest, KeywordsAreCaseInsensitive) {
  Query a =
      P("from users as of 1 where x = TRUE and y = False search \"s\" order by z desc "
        "traverse r group by g avg h limit 2");
  Query b =
      P("FrOm users As oF 1 WhErE x = true AnD y = FALSE SeArCh \"s\" OrDeR bY z DeSc "
        "TrAvErSe r GrOuP By g AvG h LiMiT 2");
  EXPECT_EQ(a, b);
  EXPECT_EQ(ToNql(a),
            "FROM users AS OF 1 WHERE x = true AND y = false SEARCH \"s\" ORDER BY z DESC "
            "TRAVERSE r GROUP BY g AVG h LIMIT 2");
  EXPECT_EQ(P("FROM t WHERE a = NULL").where[0].value, json(nullptr));
  EXPECT_EQ(P("FROM t GROUP BY a count").group_by->fn, AggFn::kCount);
}

TEST(nqlParserTest, IdentifiersAreCaseSensitive) {
  EXPECT_EQ(P("FROM Users").coll, "Users");
  EXPECT_EQ(P("FROM t WHERE Age = 1").where[0].field.text, "Age");
}

TEST(nqlParserTest, DottedPaths) {
  Query q = P(R"(FROM users WHERE address.city = "Paris" ORDER BY a.b.c_1 DESC)");
  EXPECT_EQ(q.where[0].field.text, "address.city");
  EXPECT_EQ(q.where[0].field.parts, (std::vector<std::string>{"address", "city"}));
  EXPECT_EQ(q.order_by->field.parts, (std::vector<std::string>{"a", "b", "c_1"}));
  EXPECT_EQ(F("_id").parts, (std::vector<std::string>{"_id"}));
  EXPECT_EQ(F("x.where.FROM").parts, (std::vector<std::string>{"x", "where", "FROM"}));
}

// "A collection is just a string": any name the engine accepts can be
// written double-quoted after FROM and TRAVERSE; ToNql quotes exactly the
// names that are not identifiers.
TEST(nqlParserTest, QuotedNames) {
  Query q = P(R"(FROM "users-v2" WHERE a = 1)");
  EXPECT_EQ(q.coll, "users-v2");
  EXPECT_EQ(ToNql(q), R"(FROM "users-v2" WHERE a = 1)");
  EXPECT_EQ(ToNql(P(R"(from "users")")), "FROM users");  // an identifier: bare
  EXPECT_EQ(ToNql(P(R"(FROM "from" TRAVERSE "limit")")), "FROM from TRAVERSE limit");
  EXPECT_EQ(ToNql(P(R"(FROM"a b"WHERE x=1)")), R"(FROM "a b" WHERE x = 1)");
  struct Case {
    std::string text, coll, canon;
  };
  const Case kCases[] = {
      {R"(FROM "a\"b\\c")", "a\"b\\c", R"(FROM "a\"b\\c")"},
      {R"(FROM "caf\u00e9 \u2615")", "caf\xC3\xA9 \xE2\x98\x95",
       "FROM \"caf\xC3\xA9 \xE2\x98\x95\""},
      {"FROM \"caf\xC3\xA9\"", "caf\xC3\xA9", "FROM \"caf\xC3\xA9\""},
      {R"(FROM "\ud83d\ude00")", "\xF0\x9F\x98\x80", "FROM \"\xF0\x9F\x98\x80\""},
      {R"(FROM "a.b")", "a.b", R"(FROM "a.b")"},
      {R"(FROM ".")", ".", R"(FROM ".")"},
      {R"(FROM "1users")", "1users", R"(FROM "1users")"},
      {R"(FROM "a\/b")", "a/b", R"(FROM "a/b")"},
      {R"(FROM "it's")", "it's", R"(FROM "it's")"},
      {R"(FROM " ")", " ", R"(FROM " ")"},
      {"FROM \"\xC2\xA0\"", "\xC2\xA0", "FROM \"\xC2\xA0\""},            // NBSP: not a control
      {"FROM \"" + std::string(129, 'a') + "\"", std::string(129, 'a'),  // too long to be bare
       "FROM \"" + std::string(129, 'a') + "\""},
      {"FROM \"" + std::string(256, 'a') + "\"", std::string(256, 'a'),
       "FROM \"" + std::string(256, 'a') + "\""},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.text);
    Query got = P(c.text);
    EXPECT_EQ(got.coll, c.coll);
    EXPECT_EQ(ToNql(got), c.canon);
  }
  q = P(R"(FROM "users-v2" AS OF 3 WHERE a = "x" ORDER BY a TRAVERSE "follows-v2" LIMIT 2)");
  EXPECT_EQ(q.traverse, "follows-v2");
  EXPECT_EQ(ToNql(q),
            R"(FROM "users-v2" AS OF 3 WHERE a = "x" ORDER BY a TRAVERSE "follows-v2" LIMIT 2)");
  // A name is not a field: a quoted string where a field goes is still an error.
  EXPECT_THROW(Parse(R"(FROM t WHERE "a" = 1)"), QueryError);
  EXPECT_THROW(Parse(R"(FROM t ORDER BY "a")"), QueryError);
}

TEST(nqlParserTest, KeywordsAsIdentifiers) {
  Query q =
      P("FROM from WHERE where = 1 AND and = 2 AND limit.asc = 3 ORDER BY desc DESC "
        "TRAVERSE traverse GROUP BY group COUNT");
  EXPECT_EQ(q.coll, "from");
  EXPECT_EQ(q.where[0].field.text, "where");
  EXPECT_EQ(q.where[1].field.text, "and");
  EXPECT_EQ(q.where[2].field.text, "limit.asc");
  EXPECT_EQ(q.order_by->field.text, "desc");
  EXPECT_TRUE(q.order_by->desc);
  EXPECT_EQ(*q.traverse, "traverse");
  EXPECT_EQ(q.group_by->field.text, "group");
  EXPECT_EQ(P("FROM t ORDER BY asc").order_by->field.text, "asc");
  EXPECT_FALSE(P("FROM t ORDER BY asc").order_by->desc);
  EXPECT_EQ(P("FROM t WHERE true = true").where[0], C("true", CmpOp::kEq, true));
  EXPECT_EQ(P("FROM t WHERE null != null").where[0], C("null", CmpOp::kNe, nullptr));
  Query g = P("FROM t GROUP BY count SUM sum");
  EXPECT_EQ(g.group_by, (GroupBy{F("count"), AggFn::kSum, F("sum")}));
  EXPECT_EQ(P("FROM limit LIMIT 1").coll, "limit");
}

TEST(nqlParserTest, Whitespace) {
  Query a = P("FROM users WHERE a = 1 AND b = \"x\" LIMIT 5");
  Query b = P(" \t\r\nFROM\tusers\r\nWHERE\na=1\tAND  b=\"x\"\n\nLIMIT\t5 \r\n ");
  EXPECT_EQ(a, b);
  EXPECT_EQ(P("FROM t AS\n\tOF 3").as_of, 3u);
  EXPECT_TRUE(P("FROM t ORDER\r\nBY x").order_by);
  EXPECT_TRUE(P("FROM t GROUP   BY x COUNT").group_by);
  EXPECT_EQ(P("FROM t WHERE x!=-5").where[0], C("x", CmpOp::kNe, -5));
  EXPECT_EQ(P("FROM t WHERE x<=\"a\"AND y>=2").where.size(), 2u);
}

TEST(nqlParserTest, IntegerValues) {
  auto v = [](const std::string& lit) { return P("FROM t WHERE x = " + lit).where[0].value; };
  EXPECT_EQ(v("0").type(), json::value_t::number_integer);
  EXPECT_EQ(v("0").get<std::int64_t>(), 0);
  EXPECT_EQ(v("-0").get<std::int64_t>(), 0);
  EXPECT_EQ(v("42").get<std::int64_t>(), 42);
  EXPECT_EQ(v("-42").get<std::int64_t>(), -42);
  EXPECT_EQ(v("9223372036854775807").type(), json::value_t::number_integer);
  EXPECT_EQ(v("9223372036854775807").get<std::int64_t>(), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(v("-9223372036854775808").type(), json::value_t::number_integer);
  EXPECT_EQ(v("-9223372036854775808").get<std::int64_t>(),
            std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(v("9223372036854775808").type(), json::value_t::number_unsigned);
  EXPECT_EQ(v("9223372036854775808").get<std::uint64_t>(), 9223372036854775808u);
  EXPECT_EQ(v("18446744073709551615").type(), json::value_t::number_unsigned);
  EXPECT_EQ(v("18446744073709551615").get<std::uint64_t>(),
            std::numeric_limits<std::uint64_t>::max());
  // Beyond both ranges: a double.
  EXPECT_EQ(v("18446744073709551616").type(), json::value_t::number_float);
  EXPECT_DOUBLE_EQ(v("18446744073709551616").get<double>(), 18446744073709551616.0);
  EXPECT_EQ(v("-9223372036854775809").type(), json::value_t::number_float);
  EXPECT_EQ(v(std::string(300, '9')).type(), json::value_t::number_float);
}

TEST(nqlParserTest, FloatValues) {
  auto v = [](const std::string& lit) { return P("FROM t WHERE x = " + lit).where[0].value; };
  const std::pair<const char*, double> cases[] = {
      {"1.5", 1.5},
      {"-1.5", -1.5},
      {"2e3", 2000.0},
      {"2E3", 2000.0},
      {"2e+3", 2000.0},
      {"2e-3", 0.002},
      {"-0.25e1", -2.5},
      {"0.0", 0.0},
      {"1.0", 1.0},
      {"0e-999", 0.0},
      {"5e-324", 5e-324},
      {"1.7976931348623157e308", 1.7976931348623157e308},
      {"123456789.125", 123456789.125}};
  for (const auto& [lit, want] : cases) {
    json j = v(lit);
    EXPECT_EQ(j.type(), json::value_t::number_float) << lit;
    EXPECT_EQ(j.get<double>(), want) << lit;
  }
  EXPECT_EQ(ToNql(P("FROM t WHERE x = 2e3")), "FROM t WHERE x = 2000.0");
  EXPECT_EQ(ToNql(P("FROM t WHERE x = 1e300")), "FROM t WHERE x = 1e+300");
  // 1 and 1.0 are different values to the parser (the executor may compare
  // them numerically).
  EXPECT_NE(P("FROM t WHERE x = 1"), P("FROM t WHERE x = 1.0"));
}

TEST(nqlParserTest, BoolAndNullValues) {
  EXPECT_EQ(P("FROM t WHERE x = true").where[0].value, json(true));
  EXPECT_EQ(P("FROM t WHERE x = FALSE").where[0].value, json(false));
  EXPECT_EQ(P("FROM t WHERE x = Null").where[0].value.type(), json::value_t::null);
  EXPECT_EQ(P("FROM t WHERE x = \"true\"").where[0].value, json("true"));
}

TEST(nqlParserTest, StringEscapes) {
  auto v = [](const std::string& lit) {
    return P("FROM t WHERE x = " + lit).where[0].value.get<std::string>();
  };
  EXPECT_EQ(v(R"("")"), "");
  EXPECT_EQ(v(R"("a\"b")"), "a\"b");
  EXPECT_EQ(v(R"("a\\b")"), "a\\b");
  EXPECT_EQ(v(R"("a\/b")"), "a/b");
  EXPECT_EQ(v(R"("\b\f\n\r\t")"), "\b\f\n\r\t");
  EXPECT_EQ(v(R"("\u0041\u00e9\u20AC")"), "A\xC3\xA9\xE2\x82\xAC");
  EXPECT_EQ(v(R"("\u0000")"), std::string(1, '\0'));
  EXPECT_EQ(v(R"("\uD83D\uDE00")"), "\xF0\x9F\x98\x80");  // U+1F600 via a surrogate pair
  EXPECT_EQ(v(R"("\uDBFF\uDFFF")"), "\xF4\x8F\xBF\xBF");  // U+10FFFF
  EXPECT_EQ(v("\"caf\xC3\xA9 \xF0\x9F\x98\x80\""), "caf\xC3\xA9 \xF0\x9F\x98\x80");  // raw UTF-8
  EXPECT_EQ(v("\"a'b\x7F\""), "a'b\x7F");
  EXPECT_EQ(*P(R"(FROM t SEARCH "say \"hi\"\n")").search, "say \"hi\"\n");
  // Re-escaped canonically.
  EXPECT_EQ(ToNql(P(R"(FROM t WHERE x = "\u0041\/\t\u0001")")), R"(FROM t WHERE x = "A/\t\u0001")");
}

// ------------------------------------------------------------ errors

struct BadCase {
  std::string nql;
  std::size_t pos;
  const char* fragment;
};

const std::string kLongIdent(129, 'a');

const BadCase kBadQueries[] = {
    // The example from the brief.
    {"FROM users WHER x = 1", 11,
     "NQL syntax error at position 11 (near \"WHER\"): expected AS OF, WHERE, SEARCH, ORDER BY, "
     "TRAVERSE, GROUP BY, LIMIT or end of query"},
    // Structure.
    {"", 0, "position 0 (at end of query): expected FROM"},
    {"   ", 3, "(at end of query): expected FROM"},
    {"SELECT * FROM users", 0, "(near \"SELECT\"): expected FROM"},
    {"users", 0, "expected FROM"},
    {"FROM", 4, "(at end of query): expected a collection name"},
    {"FROM 1users", 5, "invalid number"},
    {"FROM \"us:ers\"", 5,
     "(near \"\\\"us:ers\\\"\"): invalid collection name: the quoted name contains ':' (a name is "
     "1 to 256 bytes of UTF-8 without NUL, control characters or ':')"},
    {"FROM a.b", 5, "expected a collection name (an identifier without '.')"},
    {"FROM users;", 10,
     "(near \";\"): expected AS OF, WHERE, SEARCH, ORDER BY, TRAVERSE, GROUP BY, LIMIT or end of "
     "query (a trailing ';' is not part of NQL)"},
    {"FROM users LIMIT 5;", 18, "expected end of query (a trailing ';' is not part of NQL)"},
    {"FROM users extra", 11, "(near \"extra\"): expected AS OF, WHERE"},
    {"FROM users AS 5", 14, "expected OF after AS"},
    {"FROM users AS OF", 16, "expected a sequence number (an unsigned integer)"},
    {"FROM users AS OF -1", 17, "expected a sequence number (an unsigned integer)"},
    {"FROM users AS OF 1.5", 17, "(near \"1.5\"): expected a sequence number"},
    {"FROM users AS OF 18446744073709551616", 17,
     "expected a sequence number of at most 18446744073709551615"},
    {"FROM users AS OF x", 17, "expected a sequence number"},
    {"FROM users WHERE", 16, "expected a field name"},
    {"FROM users WHERE = 1", 17, "(near \"=\"): expected a field name"},
    {"FROM users WHERE age", 20, "expected a comparison operator (=, !=, <, <=, >, >=)"},
    {"FROM users WHERE age == 1", 22, "(near \"=\"): expected a value"},
    {"FROM users WHERE age <> 1", 22, "(near \">\"): expected a value"},
    {"FROM users WHERE age ! 1", 21, "(near \"!\"): expected a comparison operator"},
    {"FROM users WHERE age =", 22,
     "(at end of query): expected a value (a double-quoted string, a "
     "number, true, false or null)"},
    {"FROM users WHERE status = active", 26,
     "(near \"active\"): expected a value (a double-quoted string, a number, true, false or "
     "null); strings must be double-quoted"},
    {"FROM users WHERE status = 'active'", 26, "strings must be double-quoted"},
    {"FROM users WHERE a.b = x.y", 23, "expected a value"},
    {"FROM users WHERE a = 1 AND", 26, "(at end of query): expected a field name"},
    {"FROM users WHERE a = 1 OR b = 2", 23,
     "(near \"OR\"): expected AND, SEARCH, ORDER BY, TRAVERSE, GROUP BY, LIMIT or end of query"},
    {"FROM users WHERE a = 1 b = 2", 23, "expected AND, SEARCH"},
    {"FROM users WHERE a. = 1", 18,
     "(near \". \"): expected an identifier after '.' in a field path"},
    {"FROM users WHERE a..b = 1", 18, "expected an identifier after '.'"},
    {"FROM users WHERE .a = 1", 17, "(near \".\"): expected a field name"},
    {"FROM users WHERE a.1 = 1", 18, "expected an identifier after '.'"},
    {"FROM users WHERE a = (1)", 21, "(near \"(\"): expected a value"},
    // Clause order and repetition.
    {"FROM users LIMIT 5 WHERE a = 1", 19,
     "(near \"WHERE\"): expected end of query (clauses must come in the order AS OF, WHERE, "
     "SEARCH, ORDER BY, TRAVERSE, GROUP BY, LIMIT, each at most once)"},
    {"FROM users WHERE a = 1 WHERE b = 2", 23,
     "expected AND, SEARCH, ORDER BY, TRAVERSE, "
     "GROUP BY, LIMIT or end of query (clauses must"},
    {"FROM users ORDER BY a AS OF 3", 22,
     "expected ASC, DESC, TRAVERSE, GROUP BY, LIMIT or end of query (clauses must come"},
    {"FROM users LIMIT 1 LIMIT 2", 19, "expected end of query (clauses must come in the order"},
    {"FROM users TRAVERSE r SEARCH \"x\"", 22, "expected GROUP BY, LIMIT or end of query"},
    {"FROM users FROM x", 11,
     "expected AS OF, WHERE, SEARCH, ORDER BY, TRAVERSE, GROUP BY, "
     "LIMIT or end of query"},
    // SEARCH, ORDER BY, TRAVERSE, GROUP BY, LIMIT.
    {"FROM users SEARCH rust", 18, "(near \"rust\"): expected a double-quoted search string"},
    {"FROM users SEARCH", 17, "expected a double-quoted search string"},
    {"FROM users ORDER age", 17, "(near \"age\"): expected BY after ORDER"},
    {"FROM users ORDER BY", 19, "expected a field name"},
    {"FROM users ORDER BY age UP", 24, "(near \"UP\"): expected ASC, DESC, TRAVERSE"},
    {"FROM users ORDER BY age DESC DESC", 29, "expected TRAVERSE, GROUP BY, LIMIT or end of query"},
    {"FROM users TRAVERSE", 19, "expected a relation name"},
    {"FROM users TRAVERSE a.b", 20, "expected a relation name (an identifier without '.')"},
    {"FROM users TRAVERSE \"fol\\u0000lows\"", 20,
     "invalid relation name: the quoted name contains a NUL byte"},
    {"FROM orders GROUP status COUNT", 18, "expected BY after GROUP"},
    {"FROM orders GROUP BY status", 27, "(at end of query): expected COUNT, SUM, AVG, MIN or MAX"},
    {"FROM orders GROUP BY status TOTAL x", 28, "(near \"TOTAL\"): expected COUNT, SUM"},
    {"FROM orders GROUP BY status SUM", 31, "expected a field name to aggregate"},
    {"FROM orders GROUP BY status COUNT x", 34, "expected LIMIT or end of query"},
    {"FROM orders GROUP BY COUNT", 26, "expected COUNT, SUM, AVG, MIN or MAX"},
    {"FROM orders LIMIT", 17, "expected a row count (an unsigned integer)"},
    {"FROM orders LIMIT -1", 18, "(near \"-1\"): expected a row count (an unsigned integer)"},
    {"FROM orders LIMIT 1e3", 18, "expected a row count (an unsigned integer)"},
    {"FROM orders LIMIT ten", 18, "expected a row count"},
    {"FROM orders LIMIT 99999999999999999999", 18,
     "expected a row count of at most 18446744073709551615"},
    {"FROM users WHERE _id = \"t1\" TRACE caused_by", 28,
     "(near \"TRACE\"): expected AND, SEARCH"},  // nedbd-only extension, not NQL
    // Numbers.
    {"FROM t WHERE x = 01", 17, "(near \"01\"): invalid number: expected no leading zeros"},
    {"FROM t WHERE x = -007", 17, "expected no leading zeros"},
    {"FROM t WHERE x = 1.", 17, "invalid number: expected a digit after '.'"},
    {"FROM t WHERE x = 1.e5", 17, "expected a digit after '.'"},
    {"FROM t WHERE x = .5", 17, "(near \".\"): expected a value"},
    {"FROM t WHERE x = 1e", 17, "invalid number: expected a digit in the exponent"},
    {"FROM t WHERE x = 1e+", 17, "expected a digit in the exponent"},
    {"FROM t WHERE x = +1", 17, "(near \"+\"): expected a value"},
    {"FROM t WHERE x = -", 17, "(near \"-\"): expected a value"},
    {"FROM t WHERE x = 12abc", 17, "(near \"12abc\"): invalid number"},
    {"FROM t WHERE x = 1.5.3", 17, "invalid number"},
    {"FROM t WHERE x = 0x1F", 17, "invalid number"},
    {"FROM t WHERE x = 1AND y = 2", 17, "invalid number"},
    {"FROM t WHERE x = 1e400", 17, "(near \"1e400\"): number out of range"},
    {"FROM t WHERE x = -1e400", 17, "number out of range"},
    {"FROM t WHERE x = 1e-400", 17, "number out of range"},
    {"FROM t WHERE x = " + std::string(400, '9'), 17, "number out of range"},
    {"FROM t WHERE x = NaN", 17, "expected a value"},
    {"FROM t WHERE x = Infinity", 17, "expected a value"},
    // Strings.
    {"FROM t WHERE x = \"abc", 17,
     "(near \"\\\"abc\"): unterminated string: expected a closing '\"'"},
    {"FROM t SEARCH \"abc\\\"", 14, "unterminated string"},
    {"FROM t SEARCH \"abc\\", 14, "unterminated string"},
    {"FROM t WHERE x = \"a\\qb\"", 19,
     "(near \"\\\\q\"): invalid escape sequence: expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t "
     "\\uXXXX"},
    {"FROM t WHERE x = \"\\x41\"", 18, "invalid escape sequence"},
    {"FROM t WHERE x = \"\\'\"", 18, "invalid escape sequence"},
    {"FROM t WHERE x = \"\\u12\"", 18, "invalid \\u escape: expected 4 hex digits after \\u"},
    {"FROM t WHERE x = \"\\u12G4\"", 18, "expected 4 hex digits"},
    {"FROM t WHERE x = \"\\U0041\"", 18, "invalid escape sequence"},
    {"FROM t WHERE x = \"\\uD83D\"", 18, "unpaired high surrogate"},
    {"FROM t WHERE x = \"\\uD83Dx\"", 18, "unpaired high surrogate"},
    {"FROM t WHERE x = \"\\uD83D\\u0041\"", 18, "unpaired high surrogate"},
    {"FROM t WHERE x = \"\\uD83D\\uD83D\"", 18, "unpaired high surrogate"},
    {"FROM t WHERE x = \"\\uDE00\"", 18, "unpaired low surrogate"},
    {"FROM t WHERE x = \"\\uD83D\\uDE0\"", 24, "expected 4 hex digits"},
    {"FROM t WHERE x = \"a\nb\"", 19, "(near \"\\x0A\"): control character in string"},
    {"FROM t WHERE x = \"a\tb\"", 19, "control character in string"},
    {std::string("FROM t WHERE x = \"a\0b\"", 22), 19, "control character in string"},
    {"FROM t WHERE x = \"\xFF\"", 18, "(near \"\\xFF\"): invalid UTF-8 in string"},
    {"FROM t WHERE x = \"\xC3\"", 18, "invalid UTF-8"},              // truncated
    {"FROM t WHERE x = \"\xC0\xAF\"", 18, "invalid UTF-8"},          // overlong '/'
    {"FROM t WHERE x = \"\xE0\x80\xAF\"", 18, "invalid UTF-8"},      // overlong
    {"FROM t WHERE x = \"\xED\xA0\x80\"", 18, "invalid UTF-8"},      // surrogate
    {"FROM t WHERE x = \"\xF4\x90\x80\x80\"", 18, "invalid UTF-8"},  // > U+10FFFF
    {"FROM t WHERE x = \"ok\xE2\x82\"", 20, "invalid UTF-8"},        // truncated
    {"FROM t SEARCH \"\x80\"", 15, "invalid UTF-8"},
    // Characters outside tokens.
    {"FROM t WHERE caf\xC3\xA9 = 1", 16, "(near \"\xC3\xA9\"): expected a comparison operator"},
    {"FROM t\v", 6, "(near \"\\x0B\"): expected AS OF"},
    {"FROM\xC2\xA0t", 4, "expected a collection name"},
    {"FROM t WHERE x = 1 -- comment", 19, "(near \"-\"): expected AND"},
    // Identifiers.
    {"FROM " + kLongIdent, 5, "identifier too long: expected at most 128 bytes, got 129"},
    {"FROM t WHERE a." + kLongIdent + " = 1", 15, "identifier too long"},
    {"FROM t TRAVERSE " + kLongIdent, 16, "identifier too long"},
    // Quoted collection and relation names.
    {"FROM \"\"", 5, "invalid collection name: the quoted name is empty"},
    {"FROM \"" + std::string(257, 'n') + "\"", 5, "the quoted name is longer than 256 bytes"},
    {"FROM \"a\\nb\"", 5, "the quoted name contains a control character"},
    {"FROM \"a\\u007fb\"", 5, "the quoted name contains a control character"},
    {"FROM \"a\\u0085b\"", 5, "the quoted name contains a control character"},  // C1 (NEL)
    {"FROM \"a\tb\"", 7, "control character in string"},
    {"FROM \"a\xFF\"", 7, "invalid UTF-8 in string"},
    {"FROM \"users", 5, "unterminated string"},
    {"FROM 'users'", 5, "expected a collection name"},
    {"FROM users TRAVERSE \"a:b\"", 20, "invalid relation name: the quoted name contains ':'"},
    {"FROM users TRAVERSE \"\"", 20, "invalid relation name: the quoted name is empty"},
    {"FROM \"users\".x", 12, "(near \".\"): expected AS OF"},
    // A bare name run into other characters: the error says how to quote it.
    {"FROM users-v2 WHERE a = 1", 10,
     "(near \"-\"): expected AS OF, WHERE, SEARCH, ORDER BY, TRAVERSE, GROUP BY, LIMIT or end of "
     "query (a name with other characters than letters, digits and '_' is double-quoted: "
     "\"users-v2\")"},
    {"FROM users-2", 10, "double-quoted: \"users-2\")"},
    {"FROM caf\xC3\xA9", 8, "double-quoted: \"caf\xC3\xA9\")"},
    {"FROM t TRAVERSE follows/v2", 23, "double-quoted: \"follows/v2\")"},
    {"FROM a.b LIMIT 1", 5,
     "(an identifier without '.') (a name with other characters than "
     "letters, digits and '_' is double-quoted: \"a.b\")"},
};

TEST(nqlParserTest, InvalidQueries) {
  EXPECT_GE(std::size(kBadQueries), 40u);
  for (const BadCase& c : kBadQueries) {
    SCOPED_TRACE(c.nql);
    try {
      Query q = Parse(c.nql);
      ADD_FAILURE() << "parsed: " << ToNql(q);
    } catch (const QueryError& e) {
      EXPECT_EQ(e.position(), c.pos) << e.what();
      EXPECT_NE(std::string(e.what()).find(c.fragment), std::string::npos)
          << "message: " << e.what() << "\nwanted: " << c.fragment;
      std::string prefix = "NQL syntax error at position " + std::to_string(c.pos) + " (";
      EXPECT_EQ(std::string(e.what()).rfind(prefix, 0), 0u) << e.what();
    }
  }
}

TEST(nqlParserTest, LengthLimit) {
  // Exactly 1 MiB is fine (a long search string), one byte more is not.
  std::string head = "FROM t SEARCH \"";
  std::string max = head + std::string(kMaxQueryBytes - head.size() - 1, 'x') + "\"";
  ASSERT_EQ(max.size(), std::size_t{1} << 20);
  EXPECT_EQ(Parse(max).search->size(), max.size() - head.size() - 1);
  std::string over = max + " ";
  try {
    Parse(over);
    ADD_FAILURE() << "parsed an over-long query";
  } catch (const QueryError& e) {
    EXPECT_EQ(e.position(), kMaxQueryBytes);
    EXPECT_NE(std::string(e.what()).find("NQL query too long at position 1048576: expected at "
                                         "most 1048576 bytes, got 1048577"),
              std::string::npos)
        << e.what();
  }
}

TEST(nqlParserTest, NearTextIsBoundedAndEscaped) {
  std::string nql = "FROM t WHERE x = \"" + std::string(5000, 'a');  // unterminated
  try {
    Parse(nql);
    ADD_FAILURE();
  } catch (const QueryError& e) {
    EXPECT_LT(std::string(e.what()).size(), 200u) << e.what();
    EXPECT_NE(std::string(e.what()).find("aaa...\")"), std::string::npos) << e.what();
  }
  EXPECT_EQ(NearText("a\"b\\c\x01\xC3\xA9\xFF", 0, 9), "a\\\"b\\\\c\\x01\xC3\xA9\\xFF");
  EXPECT_EQ(NearText(std::string(40, 'z'), 0, 40), std::string(32, 'z') + "...");
}

// Big inputs parse in linear time (generous bound, also under sanitizers).
TEST(nqlParserTest, LargeInputsAreFast) {
  std::vector<std::string> inputs;
  {
    std::string s = "FROM t WHERE a = 1";
    while (s.size() + 32 < kMaxQueryBytes) s += " AND b.c <= \"xyz\"";
    inputs.push_back(s);
  }
  {
    std::string s = "FROM t WHERE a";
    while (s.size() + 8 < kMaxQueryBytes) s += ".a";
    inputs.push_back(s + " = 1");
  }
  {
    std::string s = "FROM t SEARCH \"";
    while (s.size() + 40 < kMaxQueryBytes) s += "\\uD83D\\uDE00\\n\xC3\xA9";
    inputs.push_back(s + "\"");
  }
  inputs.push_back("FROM t WHERE x = " + std::string(kMaxQueryBytes - 20, '7'));
  inputs.push_back("FROM t WHERE x = 0." + std::string(kMaxQueryBytes - 20, '7'));
  inputs.push_back(std::string(kMaxQueryBytes, ' '));
  inputs.push_back("FROM t" + std::string(kMaxQueryBytes - 10, '\n') + "LIMIT 1");
  for (const std::string& in : inputs) {
    auto start = std::chrono::steady_clock::now();
    try {
      Query q = Parse(in);
      (void)ToNql(q);
    } catch (const QueryError&) {
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_LT(secs, 5.0) << in.substr(0, 40);
  }
}

// ---------------------------------------------------------- ToNql

TEST(nqlParserTest, ToNqlRejectsWhatNqlCannotSay) {
  Query q;
  for (const std::string& bad :
       std::vector<std::string>{"bad:name", "", "a\nb", "\xFF", std::string(257, 'n')}) {
    q.coll = bad;
    EXPECT_THROW(ToNql(q), InvalidArgument) << bad;
  }
  q.coll = "ok";
  for (const std::string& bad : std::vector<std::string>{"a:b", "", "a\x01", "\xC3"}) {
    q.traverse = bad;
    EXPECT_THROW(ToNql(q), InvalidArgument) << bad;
  }
  q.traverse.reset();
  q.coll = "ok";
  EXPECT_EQ(ToNql(q), "FROM ok");
  q.traverse = "a.b";  // a name, not a path: quoted
  EXPECT_EQ(ToNql(q), "FROM ok TRAVERSE \"a.b\"");
  q.traverse.reset();
  q.where = {C("x", CmpOp::kEq, json::array({1}))};
  EXPECT_THROW(ToNql(q), InvalidArgument);
  q.where = {C("x", CmpOp::kEq, json::object())};
  EXPECT_THROW(ToNql(q), InvalidArgument);
  q.where = {C("x", CmpOp::kEq, std::numeric_limits<double>::infinity())};
  EXPECT_THROW(ToNql(q), InvalidArgument);
  q.where = {C("x", CmpOp::kEq, std::numeric_limits<double>::quiet_NaN())};
  EXPECT_THROW(ToNql(q), InvalidArgument);
  q.where = {C("x", CmpOp::kEq, "\xFF")};
  EXPECT_THROW(ToNql(q), InvalidArgument);
  q.where = {Condition{FieldPath{"a b", {}}, CmpOp::kEq, 1}};
  EXPECT_THROW(ToNql(q), InvalidArgument);
  q.where = {Condition{FieldPath{"a.b", {}}, CmpOp::kGt, 1}};  // parts derived from text
  EXPECT_EQ(ToNql(q), "FROM ok WHERE a.b > 1");
  q.where.clear();
  q.group_by = GroupBy{F("g"), AggFn::kSum, std::nullopt};
  EXPECT_THROW(ToNql(q), InvalidArgument);
  q.group_by = GroupBy{F("g"), AggFn::kCount, F("h")};
  EXPECT_THROW(ToNql(q), InvalidArgument);
  q.group_by = GroupBy{F("g"), AggFn::kCount, std::nullopt};
  EXPECT_EQ(ToNql(q), "FROM ok GROUP BY g COUNT");
}

TEST(nqlParserTest, ParseFieldPath) {
  EXPECT_EQ(ParseFieldPath("a.b_2.C").parts, (std::vector<std::string>{"a", "b_2", "C"}));
  EXPECT_EQ(ParseFieldPath("a.b_2.C").text, "a.b_2.C");
  for (const char* bad : {"", ".", "a.", ".a", "a..b", "1a", "a b", "a.1", "a-b"}) {
    EXPECT_THROW(ParseFieldPath(bad), QueryError) << bad;
  }
  try {
    ParseFieldPath("a..b");
  } catch (const QueryError& e) {
    EXPECT_EQ(e.position(), 2u);
  }
}

// -------------------------------------------------- round-trip property

std::string Utf8(std::uint32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
  return out;
}

// Random valid queries with random spelling (keyword case, whitespace,
// escapes, number forms): Parse gives the generated AST, and
// Parse(ToNql(q)) == q.
class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed) {}

  std::pair<std::string, Query> Next() {
    Query q;
    std::string s;
    Kw(s, "FROM");
    q.coll = Name(s);
    if (Coin()) {
      q.as_of = Uint();
      Kw(s, "AS");
      Kw(s, "OF");
      s += Space() + std::to_string(*q.as_of);
    }
    if (Coin()) {
      int n = 1 + Below(4);
      for (int k = 0; k < n; ++k) {
        Kw(s, k == 0 ? "WHERE" : "AND");
        Condition c;
        c.field = Field(s);
        static constexpr CmpOp kOps[] = {CmpOp::kEq, CmpOp::kNe, CmpOp::kLt,
                                         CmpOp::kLe, CmpOp::kGt, CmpOp::kGe};
        c.op = kOps[Below(6)];
        if (Coin()) s += Space();
        s.append(CmpOpText(c.op));
        if (Coin()) s += Space();
        c.value = Value(s);
        q.where.push_back(std::move(c));
      }
    }
    if (Coin()) {
      Kw(s, "SEARCH");
      q.search = String(s);
    }
    if (Coin()) {
      Kw(s, "ORDER");
      Kw(s, "BY");
      OrderBy o;
      o.field = Field(s);
      int dir = Below(3);
      o.desc = dir == 2;
      if (dir > 0) Kw(s, dir == 1 ? "ASC" : "DESC");
      q.order_by = o;
    }
    if (Coin()) {
      Kw(s, "TRAVERSE");
      q.traverse = Name(s);
    }
    if (Coin()) {
      Kw(s, "GROUP");
      Kw(s, "BY");
      GroupBy g;
      g.field = Field(s);
      static constexpr AggFn kFns[] = {AggFn::kCount, AggFn::kSum, AggFn::kAvg, AggFn::kMin,
                                       AggFn::kMax};
      g.fn = kFns[Below(5)];
      Kw(s, AggFnText(g.fn));
      if (g.fn != AggFn::kCount) {
        s += Space();
        g.agg_field = Field(s, false);
      }
      q.group_by = g;
    }
    if (Coin()) {
      q.limit = Uint();
      Kw(s, "LIMIT");
      s += Space() + std::to_string(*q.limit);
    }
    if (Coin()) s += Space();
    return {s, q};
  }

 private:
  bool Coin() { return rng_() & 1; }
  int Below(int n) { return static_cast<int>(rng_() % static_cast<std::uint64_t>(n)); }

  std::string Space() {
    static const char* kSpaces[] = {" ", " ", " ", "\t", "\n", "\r\n", "  \t "};
    return kSpaces[Below(7)];
  }

  // Appends a space (unless at the start) and the keyword in random case.
  void Kw(std::string& s, std::string_view kw) {
    if (!s.empty()) s += Space();
    for (char c : kw) s += Coin() ? c : static_cast<char>(c - 'A' + 'a');
  }

  std::string Ident() {
    static const char* kWords[] = {"users", "from", "WHERE", "asc",  "count", "and", "_id",
                                   "limit", "true", "x_1",   "Null", "by",    "of"};
    if (Below(3) == 0) return kWords[Below(13)];
    static const char kFirst[] = "abcxyzABCXYZ_";
    static const char kRest[] = "abcxyzABCXYZ_0123456789";
    std::string id(1, kFirst[Below(13)]);
    int len = Below(8) == 0 ? 128 : Below(10);
    for (int k = 1; k < len; ++k) id += kRest[Below(23)];
    return id;
  }

  // Appends a separating space and a collection or relation name: an
  // identifier, or (one time in three) a double-quoted name.
  std::string Name(std::string& s) {
    s += Space();
    if (Below(3) != 0) {
      std::string id = Ident();
      s += id;
      return id;
    }
    if (Below(8) == 0) {  // the longest names: 256 bytes
      std::string name = Coin() ? std::string(256, 'n') : "users-v2" + std::string(248, '.');
      if (Coin()) name.replace(0, 2, "\xc3\xa9");  // still 256 bytes
      s += json(name).dump();
      return name;
    }
    return String(s, /*name=*/true);
  }

  // Appends a separating space and a field path.
  FieldPath Field(std::string& s, bool space = true) {
    FieldPath f;
    int n = 1 + (Below(3) == 0 ? Below(4) : 0);
    for (int k = 0; k < n; ++k) f.parts.push_back(Ident());
    for (int k = 0; k < n; ++k) f.text += (k ? "." : "") + f.parts[k];
    if (space) s += Space();
    s += f.text;
    return f;
  }

  std::uint64_t Uint() {
    switch (Below(3)) {
      case 0: return static_cast<std::uint64_t>(Below(100));
      case 1: return rng_();
      default:
        return std::numeric_limits<std::uint64_t>::max() - static_cast<std::uint64_t>(Below(3));
    }
  }

  json Value(std::string& s) {
    switch (Below(7)) {
      case 0: {
        auto v = static_cast<std::int64_t>(rng_());
        if (Coin()) v %= 1000;
        s += std::to_string(v);
        return v;
      }
      case 1: {
        std::uint64_t v = (std::uint64_t{1} << 63) + (rng_() >> 1);
        s += std::to_string(v);
        return v;
      }
      case 2: {
        double d;
        do {
          std::uint64_t bits = rng_();
          std::memcpy(&d, &bits, sizeof d);
        } while (!std::isfinite(d));
        if (Coin()) d = static_cast<double>(Below(2000) - 1000) / 8;
        std::string text = json(d).dump();
        if (Coin()) {  // the same value spelled differently
          std::ostringstream os;
          os.imbue(std::locale::classic());
          os.precision(17);
          os << std::scientific << d;
          text = os.str();
        }
        s += text;
        return d;
      }
      case 3: {
        static const char* kWords[] = {"true", "TRUE", "True", "false", "False", "null", "NULL"};
        const char* w = kWords[Below(7)];
        s += w;
        return w[0] == 'n' || w[0] == 'N' ? json(nullptr) : json(w[0] == 't' || w[0] == 'T');
      }
      default: return String(s);
    }
  }

  // Appends a string literal with random escapes; returns its value. A
  // name (a quoted collection or relation name) is non-empty and holds no
  // control character or ':'.
  std::string String(std::string& s, bool name = false) {
    if (!name && Coin()) s += Space();
    std::string value;
    s += '"';
    int n = name ? 1 + Below(12) : Below(12);
    for (int k = 0; k < n; ++k) {
      std::uint32_t cp;
      switch (Below(6)) {
        case 0: {
          static constexpr std::uint32_t kNameChars[] = {' ', '-', '.', 0xE9};
          cp = name ? kNameChars[Below(4)] : static_cast<std::uint32_t>(Below(0x20));
          break;
        }
        case 1: cp = "\"\\/'"[Below(4)]; break;
        case 2: cp = 0x80 + static_cast<std::uint32_t>(Below(0xD800 - 0x80)); break;
        case 3: cp = 0x10000 + static_cast<std::uint32_t>(Below(0x100000)); break;
        case 4: cp = 0xE000 + static_cast<std::uint32_t>(Below(0x2000)); break;
        default: cp = 0x20 + static_cast<std::uint32_t>(Below(0x5F)); break;
      }
      if (name && cp == ':') cp = '-';
      if (name && cp >= 0x80 && cp < 0xA0) cp += 0x20;  // not a C1 control
      std::string utf8 = Utf8(cp);
      value += utf8;
      bool must_escape = cp < 0x20 || cp == '"' || cp == '\\';
      if (must_escape || Below(3) == 0) {
        static const std::pair<std::uint32_t, const char*> kShort[] = {
            {'"', "\\\""}, {'\\', "\\\\"}, {'/', "\\/"},  {'\b', "\\b"},
            {'\f', "\\f"}, {'\n', "\\n"},  {'\r', "\\r"}, {'\t', "\\t"}};
        const char* short_form = nullptr;
        for (const auto& [c, e] : kShort) {
          if (c == cp) short_form = e;
        }
        char buf[16];
        if (short_form && Coin()) {
          s += short_form;
        } else if (cp < 0x10000) {
          std::snprintf(buf, sizeof buf, Coin() ? "\\u%04x" : "\\u%04X", cp);
          s += buf;
        } else {
          std::uint32_t v = cp - 0x10000;
          std::snprintf(buf, sizeof buf, "\\u%04X\\u%04x", 0xD800 + (v >> 10),
                        0xDC00 + (v & 0x3FF));
          s += buf;
        }
      } else {
        s += utf8;
      }
    }
    s += '"';
    return value;
  }

  std::mt19937_64 rng_;
};

TEST(nqlParserTest, RoundTripRandomQueries) {
  Generator gen(20240601);
  for (int k = 0; k < 20000; ++k) {
    auto [text, want] = gen.Next();
    Query q;
    try {
      q = Parse(text);
    } catch (const QueryError& e) {
      FAIL() << e.what() << "\nin: " << text;
    }
    ASSERT_EQ(q, want) << text << "\n-> " << ToNql(q) << "\nwant " << ToNql(want);
    std::string canon = ToNql(q);
    ASSERT_EQ(Parse(canon), q) << text << "\n-> " << canon;
    ASSERT_EQ(ToNql(Parse(canon)), canon);
  }
}

// Random byte edits of valid queries: each either fails with a QueryError
// whose position lies within the text, or parses and round-trips.
TEST(nqlParserTest, MutatedQueriesFailCleanlyOrRoundTrip) {
  Generator gen(7);
  std::mt19937_64 rng(99);
  const std::string alphabet = " \t\n\"\\.=<>!-+eE019aZ_;\x80\xC3\xFF";
  int parsed = 0;
  for (int k = 0; k < 20000; ++k) {
    std::string text = gen.Next().first;
    int edits = 1 + static_cast<int>(rng() % 3);
    for (int e = 0; e < edits; ++e) {
      std::size_t at = rng() % (text.size() + 1);
      switch (rng() % 3) {
        case 0: text.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
        case 1:
          if (at < text.size()) text.erase(at, 1);
          break;
        default:
          if (at < text.size()) text[at] = alphabet[rng() % alphabet.size()];
          break;
      }
    }
    try {
      Query q = Parse(text);
      ++parsed;
      std::string canon = ToNql(q);
      ASSERT_EQ(Parse(canon), q) << text << "\n-> " << canon;
    } catch (const QueryError& e) {
      ASSERT_LE(e.position(), text.size()) << text;
      ASSERT_EQ(std::string(e.what()).rfind(
                    "NQL syntax error at position " + std::to_string(e.position()) + " (", 0),
                0u)
          << e.what();
    }
  }
  EXPECT_GT(parsed, 100);
}

// The fuzz seed corpus: every file either parses and round-trips or fails
// with a QueryError.
TEST(nqlParserTest, RoundTripFuzzCorpus) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(__FILE__).parent_path().parent_path() / "fuzz" / "corpus" / "nql";
  if (!fs::is_directory(dir)) GTEST_SKIP() << "no corpus at " << dir;
  int files = 0, valid = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ++files;
    try {
      Query q = Parse(text);
      ++valid;
      EXPECT_EQ(Parse(ToNql(q)), q) << entry.path();
    } catch (const QueryError& e) {
      EXPECT_LE(e.position(), text.size()) << entry.path();
    }
  }
  EXPECT_GE(files, 20);
  EXPECT_GE(valid, 10);
}

TEST(nqlParserTest, RoundTripAllTableQueries) {
  for (const Example& e : kReferenceExamples) {
    Query q = Parse(e.nql);
    EXPECT_EQ(Parse(ToNql(q)), q);
  }
}

}  // namespace
}  // namespace nedb::nql

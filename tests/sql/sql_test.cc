// SPDX-License-Identifier: Apache-2.0
// Unit tests of the SQL adapter's pieces: the error classes, lexer limits,
// LIKE, the nesting limit, and sql_exec over a durable database.
#include "nedb/sql.h"

#include <gtest/gtest.h>

#include <string>

#include "nedb/nedb.h"
#include "sql/sql_eval.h"
#include "sql_fixture.h"
#include "test_util.h"

namespace nedb {
namespace {

TEST(SqlErrors, HierarchyAndPositions) {
  try {
    sql_to_nql("SELECT * FROM users WHERE");
    FAIL();
  } catch (const QueryError& e) {
    EXPECT_NE(dynamic_cast<const SQLSyntaxError*>(&e), nullptr);
    EXPECT_EQ(e.position(), 25u);
    EXPECT_STREQ(e.what(),
                 "SQL syntax error at position 25 (at end of statement): expected a column or a "
                 "value");
  }
  try {
    sql_to_nql("SELECT * FROM a JOIN b");
    FAIL();
  } catch (const SQLUnsupportedError& e) {
    EXPECT_EQ(e.position(), 16u);
    EXPECT_STREQ(e.what(),
                 "SQL not supported at position 16 (near \"JOIN\"): JOIN (NEDB collections are "
                 "queried one at a time)");
  }
  EXPECT_THROW(sql_to_nql("SELECT name FROM users"), SQLUnsupportedError);
  EXPECT_THROW(sql_to_nql("DELETE FROM users"), SQLUnsupportedError);
  EXPECT_THROW(sql_to_nql("SELECT * FROM users WHERE a = 1 OR b = 2"), SQLUnsupportedError);
}

TEST(SqlErrors, InvalidUtf8AndOddBytes) {
  EXPECT_THROW(sql_to_nql("SELECT * FROM t WHERE a = '\xff'"), SQLSyntaxError);
  EXPECT_THROW(sql_to_nql("SELECT * FROM t WHERE \"\xc0\xaf\" = 1"), SQLSyntaxError);
  EXPECT_THROW(sql_to_nql(std::string("SELECT * FROM t WHERE a = 1\0", 28)), SQLSyntaxError);
  EXPECT_THROW(sql_to_nql("SELECT * FROM t WHERE a = 1 \xc3\xa9"), SQLSyntaxError);
  // NUL inside a string is data.
  EXPECT_EQ(sql_to_nql(std::string("SELECT * FROM t WHERE a = 'x\0y'", 31)),
            "FROM t WHERE a = \"x\\u0000y\"");
}

TEST(SqlErrors, Limits) {
  std::string deep = "SELECT * FROM t WHERE ";
  for (int k = 0; k < 200; ++k) deep += "(";
  deep += "a = 1";
  for (int k = 0; k < 200; ++k) deep += ")";
  EXPECT_THROW(sql_to_nql(deep), SQLUnsupportedError);
  std::string nots = "SELECT * FROM t WHERE ";
  for (int k = 0; k < 200; ++k) nots += "NOT ";
  EXPECT_THROW(sql_to_nql(nots + "a = 1"), SQLUnsupportedError);
  std::string ok = "SELECT * FROM t WHERE ";
  for (int k = 0; k < 50; ++k) ok += "(";
  ok += "a = 1";
  for (int k = 0; k < 50; ++k) ok += ")";
  EXPECT_EQ(sql_to_nql(ok), "FROM t WHERE a = 1");
  std::string big = "SELECT * FROM t WHERE a = '" + std::string(2 << 20, 'x') + "'";
  EXPECT_THROW(sql_to_nql(big), SQLSyntaxError);
  // Long AND and OR chains are not nesting.
  std::string chain = "SELECT * FROM t WHERE a = 0";
  for (int k = 1; k < 5000; ++k) chain += " OR a = " + std::to_string(k);
  NEDB db;
  db.put("t", "x", {{"a", 4999}});
  EXPECT_EQ(sql_exec(db, chain).size(), 1u);
}

// Nesting (parentheses and NOT) is allowed exactly 100 deep (issue 13).
TEST(SqlErrors, NestingLimitIsExactly100) {
  auto parens = [](int n) {
    return "SELECT * FROM t WHERE " + std::string(n, '(') + "a = 1" + std::string(n, ')');
  };
  EXPECT_EQ(sql_to_nql(parens(100)), "FROM t WHERE a = 1");
  EXPECT_THROW(sql_to_nql(parens(101)), SQLUnsupportedError);
  auto nots = [](int n) {
    std::string q = "SELECT * FROM t WHERE ";
    for (int k = 0; k < n; ++k) q += "NOT ";
    return q + "a = 1";
  };
  EXPECT_EQ(sql_to_nql(nots(100)), "FROM t WHERE a = 1");  // an even number of NOTs
  EXPECT_THROW(sql_to_nql(nots(101)), SQLUnsupportedError);
  // Parentheses and NOT count together.
  EXPECT_NO_THROW(sql_to_nql("SELECT * FROM t WHERE " + std::string(50, '(') + nots(50).substr(22) +
                             std::string(50, ')')));
  EXPECT_THROW(sql_to_nql("SELECT * FROM t WHERE " + std::string(51, '(') + nots(50).substr(22) +
                          std::string(51, ')')),
               SQLUnsupportedError);
  try {
    sql_to_nql(parens(101));
  } catch (const SQLUnsupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("nested deeper than 100 levels"), std::string::npos)
        << e.what();
  }
}

// FOR UPDATE / FOR SHARE are named as such, FOR SYSTEM_TIME as itself.
TEST(SqlErrors, ForClausesAreNamedCorrectly) {
  for (const char* q :
       {"SELECT * FROM users FOR UPDATE", "SELECT * FROM users u FOR SHARE",
        "SELECT * FROM users WHERE a = 1 FOR UPDATE", "SELECT * FROM users LIMIT 1 FOR UPDATE"}) {
    try {
      sql_to_nql(q);
      ADD_FAILURE() << q;
    } catch (const SQLUnsupportedError& e) {
      EXPECT_NE(std::string(e.what()).find("FOR UPDATE / FOR SHARE"), std::string::npos)
          << e.what();
      EXPECT_EQ(std::string(e.what()).find("SYSTEM_TIME"), std::string::npos) << e.what();
    }
  }
  try {
    sql_to_nql("SELECT * FROM users FOR SYSTEM_TIME AS OF 3");
    ADD_FAILURE();
  } catch (const SQLUnsupportedError& e) {
    EXPECT_NE(std::string(e.what()).find("FOR SYSTEM_TIME (use AS OF <seq>)"), std::string::npos)
        << e.what();
  }
}

// A table alias may follow AS OF, as the grammar says (issue 13).
TEST(SqlExec, AliasAfterAsOf) {
  NEDB db;
  test::LoadSqlFixture(db);
  const nlohmann::json want = sql_exec(db, "SELECT name FROM users AS OF 6 WHERE age > 30");
  ASSERT_EQ(want.size(), 3u);
  for (const char* q : {"SELECT name FROM users AS OF 6 x WHERE x.age > 30",
                        "SELECT x.name FROM users AS OF 6 AS x WHERE age > 30",
                        "SELECT name FROM users x AS OF 6 WHERE x.age > 30",
                        "SELECT name FROM users AS x AS OF 6 WHERE x.age > 30"}) {
    EXPECT_EQ(sql_exec(db, q), want) << q;
  }
  EXPECT_EQ(sql_to_nql("SELECT * FROM users AS OF 6 u WHERE u.age > 30"),
            "FROM users AS OF 6 WHERE age > 30");
  EXPECT_THROW(sql_to_nql("SELECT * FROM users AS OF 6 u AS OF 7"), SQLSyntaxError);
  EXPECT_THROW(sql_to_nql("SELECT * FROM users AS OF 6 u v"), SQLSyntaxError);
}

// An aggregate over id is named as written (count_id, not count__id), so
// ORDER BY can name it (issue 13).
TEST(SqlExec, AggregateOverIdIsNamedAsWritten) {
  NEDB db;
  test::LoadSqlFixture(db);
  EXPECT_EQ(sql_exec(db, "SELECT COUNT(id), SUM(id), MIN(id) FROM orders"),
            nlohmann::json::parse(R"([{"count_id":4,"sum_id":0,"min_id":null}])"));
  EXPECT_EQ(sql_exec(db,
                     "SELECT user, COUNT(*), SUM(id) FROM orders GROUP BY user ORDER BY "
                     "sum_id, count DESC"),
            nlohmann::json::parse(R"([{"user":"u1","count":2,"sum_id":0},
                                      {"user":"u2","count":1,"sum_id":0},
                                      {"user":"u3","count":1,"sum_id":0}])"));
  EXPECT_EQ(sql_exec(db,
                     "SELECT user, COUNT(id) FROM orders GROUP BY user ORDER BY count_id "
                     "DESC LIMIT 1"),
            nlohmann::json::parse(R"([{"user":"u1","count_id":2}])"));
  // Grouped SELECTs NQL runs keep NQL's names for other columns; one over
  // id is run by the adapter, so that its name is the one written.
  EXPECT_EQ(sql_exec(db, "SELECT user, COUNT(*), MAX(id) FROM orders GROUP BY user")[0],
            nlohmann::json::parse(R"({"user":"u1","count":2,"max_id":null})"));
  EXPECT_THROW(sql_to_nql("SELECT user, COUNT(*), MAX(id) FROM orders GROUP BY user"),
               SQLUnsupportedError);
  EXPECT_EQ(sql_to_nql("SELECT user, COUNT(*), MAX(_id) FROM orders GROUP BY user"),
            "FROM orders GROUP BY user MAX _id");
  EXPECT_EQ(sql_exec(db, "SELECT user, COUNT(*), MAX(_id) FROM orders GROUP BY user")[0],
            nlohmann::json::parse(R"({"user":"u1","count":2,"max__id":null})"));
}

// `table.column` names `column` in writes too (found by
// sql_sqlite_diff_test: INSERT stored {"t": {"a": 1}}, UPDATE and DELETE
// matched nothing).
TEST(SqlExec, WritesDropTheTableQualifier) {
  NEDB db;
  EXPECT_EQ(
      sql_exec(db, "INSERT INTO t (t.id, t.a, t.o.x) VALUES ('k', 1, 2), (7, 3, 4)")["affected"],
      2);
  EXPECT_EQ(*db.get("t", "k"), nlohmann::json::parse(R"({"_id":"k","a":1,"o":{"x":2}})"));
  EXPECT_EQ(*db.get("t", "7"), nlohmann::json::parse(R"({"_id":"7","a":3,"o":{"x":4}})"));
  EXPECT_EQ(
      sql_exec(db, "UPDATE t SET t.a = 5, t.o.y = 6 WHERE t.a = 1 AND t.id = 'k'")["affected"], 1);
  EXPECT_EQ(*db.get("t", "k"), nlohmann::json::parse(R"({"_id":"k","a":5,"o":{"x":2,"y":6}})"));
  EXPECT_THROW(sql_exec(db, "UPDATE t SET t.id = 'x'"), SQLUnsupportedError);
  EXPECT_EQ(sql_exec(db, "DELETE FROM t WHERE t.o.x = 4 OR t.id = 7")["affected"], 1);
  EXPECT_EQ(sql_exec(db, "DELETE FROM t WHERE NOT t.a IN (1)")["affected"], 1);
  EXPECT_FALSE(db.get("t", "k").has_value());
  // A qualifier that is not the table stays a path.
  sql_exec(db, "INSERT INTO t (id, u.a) VALUES ('n', 1)");
  EXPECT_EQ(*db.get("t", "n"), nlohmann::json::parse(R"({"_id":"n","u":{"a":1}})"));
}

TEST(SqlLike, Patterns) {
  using sql::Like;
  EXPECT_TRUE(Like("abc", "abc", std::nullopt));
  EXPECT_FALSE(Like("abc", "ab", std::nullopt));
  EXPECT_TRUE(Like("abc", "a%", std::nullopt));
  EXPECT_TRUE(Like("abc", "%c", std::nullopt));
  EXPECT_TRUE(Like("abc", "%b%", std::nullopt));
  EXPECT_TRUE(Like("abc", "a_c", std::nullopt));
  EXPECT_FALSE(Like("ac", "a_c", std::nullopt));
  EXPECT_TRUE(Like("", "%", std::nullopt));
  EXPECT_FALSE(Like("", "_", std::nullopt));
  EXPECT_TRUE(Like("aXbXc", "a%b%c", std::nullopt));
  EXPECT_TRUE(Like("mississippi", "%iss%ppi", std::nullopt));
  EXPECT_FALSE(Like("mississippi", "%iss%ppx", std::nullopt));
  EXPECT_TRUE(Like("caf\xc3\xa9", "caf_", std::nullopt));  // _ is one UTF-8 character
  EXPECT_FALSE(Like("caf\xc3\xa9", "caf__", std::nullopt));
  EXPECT_TRUE(Like("50%", "50!%", '!'));
  EXPECT_FALSE(Like("500", "50!%", '!'));
  EXPECT_TRUE(Like("a_b", "a!_b", '!'));
  EXPECT_FALSE(Like("axb", "a!_b", '!'));
  EXPECT_TRUE(Like("a!", "a!", '!'));  // a trailing escape is literal
  EXPECT_FALSE(Like("ABC", "abc", std::nullopt));
}

TEST(SqlExec, DurableDatabaseAndConst) {
  test::TempDir dir;
  {
    NEDB db(dir.sub("db"));
    nlohmann::json r = sql_exec(db,
                                "INSERT INTO users (id, name, age, status) VALUES "
                                "('u1', 'Ada', 31, 'active')");
    EXPECT_EQ(r, (nlohmann::json{{"affected", 1}, {"seq", db.seq()}}));
    sql_exec(db, "UPDATE users SET age = 32 WHERE id = 'u1'");
  }
  NEDB db(dir.sub("db"));
  const NEDB& cdb = db;
  EXPECT_EQ(sql_exec(cdb, "SELECT name, age FROM users"),
            nlohmann::json::parse(R"([{"name":"Ada","age":32}])"));
  EXPECT_EQ(sql_exec(cdb, "SELECT age FROM users AS OF 1"),
            nlohmann::json::parse(R"([{"age":31}])"));
  EXPECT_THROW(sql_exec(cdb, "DELETE FROM users"), SQLUnsupportedError);
  EXPECT_EQ(sql_exec(db, "DELETE FROM users WHERE id = 'u1'")["affected"], 1);
  EXPECT_TRUE(sql_exec(db, "SELECT * FROM users").empty());
  EXPECT_TRUE(db.verify());
  db.close();
  EXPECT_THROW(sql_exec(db, "SELECT * FROM users"), ClosedError);
}

TEST(SqlExec, ReferenceExamples) {
  NEDB db;
  db.create_index("users", "bio", "search");
  sql_exec(db,
           "INSERT INTO users (id, name, age, status, bio) VALUES ('u1', 'Ada', 31, "
           "'active', 'I love rust'), ('u2', 'Bob', 40, 'active', 'go')");
  const std::uint64_t snap = db.seq();
  EXPECT_EQ(
      sql_exec(db, "SELECT * FROM users WHERE status = 'active' ORDER BY age DESC LIMIT 10").size(),
      2u);
  EXPECT_EQ(sql_exec(db, "SELECT * FROM users WHERE bio LIKE '%rust%'").size(), 1u);
  sql_exec(db, "UPDATE users SET age = 32 WHERE id = 'u1'");
  EXPECT_EQ(sql_exec(db, "SELECT * FROM users AS OF " + std::to_string(snap) +
                             " WHERE id = 'u1'")[0]["age"],
            31);
  nlohmann::json u1 = sql_exec(db, "SELECT * FROM users WHERE id = 'u1'")[0];
  EXPECT_EQ(u1["age"], 32);
  EXPECT_EQ(u1["bio"], "I love rust");  // merged, not replaced
  EXPECT_EQ(sql_exec(db, "DELETE FROM users WHERE id = 'u1'")["affected"], 1);
  EXPECT_EQ(sql_to_nql("SELECT * FROM users WHERE status = 'active' ORDER BY age DESC LIMIT 5"),
            "FROM users WHERE status = \"active\" ORDER BY age DESC LIMIT 5");
}

// The adapter's own evaluation agrees with NQL wherever both can answer:
// the same conditions, pushed down or wrapped so that they are not.
TEST(SqlExec, AdapterAgreesWithNql) {
  NEDB db;
  test::LoadSqlFixture(db);
  const char* conds[] = {"age > 30",
                         "age != 25",
                         "status = 'active'",
                         "score IS NOT NULL",
                         "nick = NULL",
                         "age BETWEEN 20 AND 40",
                         "id >= 'u3'",
                         "address.city = 'Paris'",
                         "age NOT IN (25, 32)",
                         "NOT admin",
                         "bio LIKE '%rust%'",
                         "age <= 'a'",
                         "admin = FALSE"};
  for (const char* c : conds) {
    std::string pushed = std::string("SELECT * FROM users WHERE ") + c;
    // "OR FALSE" keeps the rows but makes the condition residual.
    std::string residual = std::string("SELECT * FROM users WHERE (") + c + ") OR FALSE";
    EXPECT_EQ(sql_exec(db, pushed), sql_exec(db, residual)) << c;
    EXPECT_NO_THROW(sql_to_nql(pushed)) << c;
    EXPECT_THROW(sql_to_nql(residual), SQLUnsupportedError) << c;
  }
  const char* groups[] = {"COUNT(*)", "COUNT(*), SUM(age)", "COUNT(*), AVG(score)",
                          "COUNT(*), MIN(age)", "COUNT(*), MAX(total)"};
  for (const char* coll : {"users", "orders"}) {
    for (const char* g : groups) {
      for (const char* key : {"status", "user", "age"}) {
        std::string q = std::string("SELECT ") + key + ", " + g + " FROM " + coll;
        EXPECT_EQ(sql_exec(db, q + " GROUP BY " + key),
                  sql_exec(db, q + " WHERE TRUE OR FALSE GROUP BY " + key))
            << q;
      }
    }
  }
}

}  // namespace
}  // namespace nedb

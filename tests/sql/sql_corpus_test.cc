// SPDX-License-Identifier: Apache-2.0
// Runs tests/sql/corpus.txt: SQL statements with their expected rows, write
// counts, NQL translations or errors, in order, against one in-memory
// database loaded with the fixture (sql_fixture.h). For every SELECT that
// sql_to_nql translates, the NQL text must parse, be canonical and give the
// same rows through NEDB::query().
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "nedb/nedb.h"
#include "nedb/sql.h"
#include "query/nql_parser.h"
#include "sql_fixture.h"

namespace nedb {
namespace {

struct Record {
  int line = 0;
  std::string sql;
  std::vector<std::pair<std::string, std::string>> expect;  // tag, rest of line
};

std::vector<Record> LoadCorpus() {
  std::ifstream in(SQL_CORPUS_PATH);
  EXPECT_TRUE(in.good()) << SQL_CORPUS_PATH;
  std::vector<Record> out;
  std::string line;
  int n = 0;
  Record cur;
  bool has_sql = false;
  auto flush = [&] {
    if (has_sql) out.push_back(cur);
    cur = Record{};
    has_sql = false;
  };
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) {
      flush();
      continue;
    }
    if (line[0] == '#') continue;
    const std::size_t sp = line.find(' ');
    const std::string tag = line.substr(0, sp);
    const std::string rest = sp == std::string::npos ? "" : line.substr(sp + 1);
    if (tag == "SQL") {
      cur.line = n;
      cur.sql = rest;
      has_sql = true;
    } else if (tag == "SQLJ") {  // a JSON string: for newlines, tabs, odd bytes
      cur.line = n;
      cur.sql = nlohmann::json::parse(rest).get<std::string>();
      has_sql = true;
    } else {
      cur.expect.emplace_back(tag, rest);
    }
  }
  flush();
  return out;
}

std::vector<std::string> Ids(const nlohmann::json& rows) {
  std::vector<std::string> ids;
  for (const auto& r : rows) ids.push_back(r.value("_id", "?"));
  return ids;
}

std::vector<std::string> Words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> w;
  for (std::string x; in >> x;) w.push_back(x);
  return w;
}

// Checks that fn throws the error kind with the position and text.
template <typename Fn>
void ExpectError(const Fn& fn, const std::string& spec, const std::string& where) {
  std::istringstream in(spec);
  std::string kind;
  std::size_t pos = 0;
  in >> kind >> pos;
  std::string text;
  std::getline(in, text);
  if (!text.empty() && text[0] == ' ') text.erase(0, 1);
  try {
    fn();
    ADD_FAILURE() << where << ": expected a " << kind << " error";
  } catch (const SQLSyntaxError& e) {
    EXPECT_EQ(kind, "syntax") << where << ": " << e.what();
    EXPECT_EQ(e.position(), pos) << where << ": " << e.what();
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << where << ": " << e.what();
  } catch (const SQLUnsupportedError& e) {
    EXPECT_EQ(kind, "unsupported") << where << ": " << e.what();
    EXPECT_EQ(e.position(), pos) << where << ": " << e.what();
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << where << ": " << e.what();
  } catch (const SQLError& e) {
    EXPECT_EQ(kind, "error") << where << ": " << e.what();
    EXPECT_EQ(e.position(), pos) << where << ": " << e.what();
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << where << ": " << e.what();
  } catch (const InvalidArgument& e) {
    EXPECT_EQ(kind, "invalid") << where << ": " << e.what();
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << where << ": " << e.what();
  }
}

TEST(SqlCorpus, EveryStatement) {
  NEDB db;
  test::LoadSqlFixture(db);
  const NEDB& cdb = db;
  const std::vector<Record> corpus = LoadCorpus();
  EXPECT_GE(corpus.size(), 150u);
  int selects = 0, translated = 0, writes = 0, errors = 0;
  for (const Record& r : corpus) {
    const std::string where = "corpus.txt:" + std::to_string(r.line) + " [" + r.sql + "]";
    bool is_error = false;
    for (const auto& [tag, rest] : r.expect) {
      if (tag == "ERR") {
        is_error = true;
        ++errors;
        ExpectError([&] { sql_exec(db, r.sql); }, rest, where);
      }
    }
    if (is_error) continue;
    nlohmann::json got;
    try {
      got = sql_exec(db, r.sql);
    } catch (const std::exception& e) {
      ADD_FAILURE() << where << ": threw " << e.what();
      continue;
    }
    bool nql_checked = false;
    for (const auto& [tag, rest] : r.expect) {
      if (tag == "IDS") {
        EXPECT_EQ(Ids(got), Words(rest)) << where << ": " << got.dump();
      } else if (tag == "ROWS") {
        EXPECT_EQ(got, nlohmann::json::parse(rest)) << where << ": " << got.dump();
      } else if (tag == "WRITE") {
        ++writes;
        EXPECT_EQ(got.value("affected", -1), std::stoi(rest)) << where << ": " << got.dump();
        EXPECT_EQ(got.value("seq", std::uint64_t{0}), db.seq()) << where;
      } else if (tag == "NQL") {
        nql_checked = true;
        if (rest == "-") {
          EXPECT_THROW(sql_to_nql(r.sql), SQLUnsupportedError) << where;
        } else {
          try {
            EXPECT_EQ(sql_to_nql(r.sql), rest) << where;
          } catch (const std::exception& e) {
            ADD_FAILURE() << where << ": sql_to_nql threw " << e.what();
          }
        }
      } else {
        ADD_FAILURE() << where << ": unknown tag " << tag;
      }
    }
    if (!got.is_array()) continue;
    ++selects;
    EXPECT_EQ(sql_exec(cdb, r.sql), got) << where << ": const overload";
    std::string nql;
    try {
      nql = sql_to_nql(r.sql);
    } catch (const SQLUnsupportedError&) {
      continue;
    }
    ++translated;
    (void)nql_checked;
    try {
      EXPECT_EQ(nql::ToNql(nql::Parse(nql)), nql) << where << ": not canonical";
      nlohmann::json via_nql = db.query(nql);
      EXPECT_EQ(via_nql, got) << where << ": NQL " << nql << " gives other rows";
    } catch (const std::exception& e) {
      ADD_FAILURE() << where << ": NQL " << nql << " failed: " << e.what();
    }
  }
  std::printf("corpus: %zu statements: %d SELECTs (%d translated to NQL), %d writes, %d errors\n",
              corpus.size(), selects, translated, writes, errors);
}

}  // namespace
}  // namespace nedb

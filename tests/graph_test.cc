// SPDX-License-Identifier: Apache-2.0
// Relations and their history.
#include "state/graph.h"

#include <gtest/gtest.h>

#include "nedb/nedb.h"

namespace nedb {
namespace {

using V = std::vector<std::string>;

TEST(GraphTest, ReferenceExample) {
  NEDB db;
  db.link("users:alice", "follows", "users:bob");
  db.link("users:alice", "follows", "users:carol");
  EXPECT_EQ(db.neighbors("users:alice", "follows"), (V{"users:bob", "users:carol"}));
  EXPECT_EQ(db.inbound("users:bob", "follows"), (V{"users:alice"}));
  std::uint64_t snap = db.seq();
  EXPECT_TRUE(db.unlink("users:alice", "follows", "users:bob"));
  EXPECT_EQ(db.neighbors("users:alice", "follows"), (V{"users:carol"}));
  EXPECT_EQ(db.neighbors("users:alice", "follows", snap), (V{"users:bob", "users:carol"}));
  EXPECT_TRUE(db.inbound("users:bob", "follows").empty());
  EXPECT_EQ(db.inbound("users:bob", "follows", snap), (V{"users:alice"}));
}

TEST(GraphTest, RelinkStartsANewIntervalOrderedByLinkSeq) {
  NEDB db;
  db.link("a:1", "r", "b:1");    // 1
  db.link("a:1", "r", "b:2");    // 2
  db.unlink("a:1", "r", "b:1");  // 3
  db.link("a:1", "r", "b:1");    // 4
  EXPECT_EQ(db.neighbors("a:1", "r"), (V{"b:2", "b:1"}));
  EXPECT_EQ(db.neighbors("a:1", "r", 2), (V{"b:1", "b:2"}));
  EXPECT_EQ(db.neighbors("a:1", "r", 3), (V{"b:2"}));
  EXPECT_TRUE(db.neighbors("a:1", "r", 0).empty());
  EXPECT_TRUE(db.neighbors("a:1", "other").empty());
  EXPECT_TRUE(db.verify_determinism());
}

TEST(GraphTest, DuplicateLinkAndMissingUnlinkAppendNothing) {
  NEDB db;
  EXPECT_TRUE(db.link("a:1", "r", "b:1"));
  EXPECT_FALSE(db.link("a:1", "r", "b:1"));
  EXPECT_FALSE(db.unlink("a:1", "r", "b:2"));
  EXPECT_EQ(db.seq(), 1u);
}

TEST(GraphTest, RelationsAreIndependentAndDirected) {
  NEDB db;
  db.link("a:1", "likes", "b:1");
  db.link("a:1", "follows", "b:2");
  db.link("b:1", "likes", "a:1");
  EXPECT_EQ(db.neighbors("a:1", "likes"), (V{"b:1"}));
  EXPECT_EQ(db.neighbors("a:1", "follows"), (V{"b:2"}));
  EXPECT_EQ(db.inbound("a:1", "likes"), (V{"b:1"}));
  EXPECT_TRUE(db.inbound("a:1", "follows").empty());
  EXPECT_THROW(db.neighbors("a:1", "likes", 99), InvalidArgument);
}

TEST(GraphTest, EqualsComparesHistory) {
  Graph a, b;
  a.Link("x:1", "r", "y:1", 1);
  b.Link("x:1", "r", "y:1", 1);
  EXPECT_TRUE(a.Equals(b));
  a.Unlink("x:1", "r", "y:1", 2);
  EXPECT_FALSE(a.Equals(b));
  b.Unlink("x:1", "r", "y:1", 3);
  EXPECT_FALSE(a.Equals(b));
}

}  // namespace
}  // namespace nedb

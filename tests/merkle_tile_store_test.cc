// SPDX-License-Identifier: Apache-2.0
// TileHashStore (src/merkle/tile_store.h): the same roots and proofs as the
// in-memory store across reopens; recovery when tiles lag the log, are torn,
// deleted or corrupted; injected I/O faults; bounded memory and I/O.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "fault_env.h"
#include "merkle/merkle_tree.h"
#include "merkle/tile_store.h"
#include "nedb/errors.h"
#include "test_util.h"
#include "util/crc32c.h"

namespace nedb::merkle {
namespace {

using nedb::test::TempDir;
using nedb_test::FaultInjectionEnv;

std::vector<Hash> Leaves(std::uint64_t n) {
  std::vector<Hash> out;
  for (std::uint64_t i = 0; i < n; ++i) out.push_back(HashLeaf("entry " + std::to_string(i)));
  return out;
}

// A MerkleTree over a TileHashStore, keeping a pointer to the store.
struct TileTree {
  explicit TileTree(const std::string& dir, TileStoreOptions o = {}) {
    auto s = std::make_unique<TileHashStore>(dir, o);
    store = s.get();
    tree = std::make_unique<MerkleTree>(std::move(s));
  }
  TileHashStore* store;
  std::unique_ptr<MerkleTree> tree;
};

const std::vector<Hash>& AllLeaves() {
  static const std::vector<Hash> leaves = Leaves(20000);
  return leaves;
}

const MerkleTree& Reference() {
  static const MerkleTree* t = [] {
    auto* tree = new MerkleTree();
    for (const Hash& h : AllLeaves()) tree->Append(h);
    return tree;
  }();
  return *t;
}

// Appends the reference leaves [tree.size(), n).
void AppendUpTo(MerkleTree& tree, std::uint64_t n) {
  while (tree.size() < n) tree.Append(AllLeaves()[tree.size()]);
}

std::vector<std::string> TileFiles(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

void FlipBit(const std::string& path, std::size_t byte, int bit) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(byte));
  char c;
  f.read(&c, 1);
  c = static_cast<char>(c ^ (1 << bit));
  f.seekp(static_cast<std::streamoff>(byte));
  f.write(&c, 1);
}

// Writes a tile file with a valid CRC (a forged, internally consistent tile).
void WriteTile(const std::string& path, const std::vector<Hash>& hashes) {
  std::string data(reinterpret_cast<const char*>(hashes.data()), hashes.size() * kHashBytes);
  const std::uint32_t crc = Crc32c(data);
  for (int i = 0; i < 4; ++i) data += static_cast<char>(crc >> (8 * i));
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

std::vector<Hash> ReadTile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<Hash> out((data.size() - 4) / kHashBytes);
  std::memcpy(out.data(), data.data(), out.size() * kHashBytes);
  return out;
}

// Every root and a sample of proofs of `tree` against the reference.
void ExpectSameAsReference(const MerkleTree& tree, std::mt19937_64& rng) {
  const MerkleTree& ref = Reference();
  const std::uint64_t n = tree.size();
  ASSERT_EQ(tree.Root(), ref.Root(n)) << n;
  for (int i = 0; i < 30 && n > 0; ++i) {
    const std::uint64_t size = 1 + rng() % n;
    const std::uint64_t index = rng() % size;
    const std::uint64_t size1 = rng() % (size + 1);
    ASSERT_EQ(tree.Root(size), ref.Root(size)) << size;
    ASSERT_EQ(tree.InclusionPath(index, size), ref.InclusionPath(index, size))
        << index << " " << size;
    ASSERT_EQ(tree.ConsistencyPath(size1, size), ref.ConsistencyPath(size1, size));
    ASSERT_EQ(tree.LeafHashAt(index), AllLeaves()[index]);
  }
}

TEST(TileStoreTest, IndexPathsAreTlogTilesPaths) {
  TempDir tmp;
  TileHashStore s(tmp.path());
  EXPECT_EQ(s.TilePath(0, 5), tmp.path() + "/0/005");
  EXPECT_EQ(s.TilePath(3, 999), tmp.path() + "/3/999");
  EXPECT_EQ(s.TilePath(0, 1000), tmp.path() + "/0/x001/000");
  EXPECT_EQ(s.TilePath(12, 1234067), tmp.path() + "/12/x001/x234/067");
  EXPECT_EQ(s.PartialPath(1, 7), tmp.path() + "/1/007.p");
}

TEST(TileStoreTest, SameRootsAndProofsAsMemoryAcrossReopens) {
  TempDir tmp;
  std::mt19937_64 rng(14);
  std::uint64_t n = 0;
  for (int round = 0; round < 12; ++round) {
    TileTree t(tmp.path(), {.cache_tiles = 4});
    ASSERT_EQ(t.tree->size(), n) << "round " << round;
    ExpectSameAsReference(*t.tree, rng);
    // Mostly growing, sometimes cut back (a log truncated), sizes to 20,000.
    const std::uint64_t target =
        round % 4 == 3 ? n - rng() % (n + 1) : std::min<std::uint64_t>(20000, n + rng() % 4000);
    if (target < n) {
      t.tree->Truncate(target);
    } else {
      AppendUpTo(*t.tree, target);
    }
    n = target;
    ExpectSameAsReference(*t.tree, rng);
    EXPECT_LE(t.store->cached_tiles(), 4u);
    t.store->Flush();
    const TileCheck c = t.store->Check(Reference().Root(n));
    EXPECT_TRUE(c.ok) << c.tile << ": " << c.reason;
  }
  // Every size up to the end, from a fresh open, with the smallest cache.
  TileTree t(tmp.path(), {.cache_tiles = 2});
  AppendUpTo(*t.tree, 20000);
  for (std::uint64_t size = 0; size <= 20000; size += 1 + rng() % 7) {
    ASSERT_EQ(t.tree->Root(size), Reference().Root(size)) << size;
  }
}

TEST(TileStoreTest, OneTileWritePer256HashesAndLogarithmicReads) {
  TempDir tmp;
  TileTree t(tmp.path(), {.cache_tiles = 2});
  AppendUpTo(*t.tree, 20000);
  std::uint64_t expected_writes = 0;
  for (int k = 0; k < 64; ++k) expected_writes += (std::uint64_t{20000} >> k) / 256;
  EXPECT_EQ(t.store->tile_writes(), expected_writes);  // full tiles only, once each
  EXPECT_EQ((20000 / 256), 78);
  std::mt19937_64 rng(1);
  for (int i = 0; i < 200; ++i) {
    const std::uint64_t size = 1 + rng() % 20000;
    const std::uint64_t before = t.store->tile_reads();
    t.tree->InclusionPath(rng() % size, size);
    EXPECT_LE(t.store->tile_reads() - before, 2u * 15 + 1);
    EXPECT_LE(t.store->cached_tiles(), 2u);
  }
}

TEST(TileStoreTest, DeletedTilesAreRebuiltEqual) {
  TempDir tmp;
  const std::uint64_t n = 5000;
  {
    TileTree t(tmp.path());
    AppendUpTo(*t.tree, n);
    t.store->Flush();
  }
  std::filesystem::remove_all(tmp.path());
  {
    TileTree t(tmp.path());
    EXPECT_EQ(t.tree->size(), 0u);  // the caller re-adds every leaf
    AppendUpTo(*t.tree, n);
    t.store->Flush();
    EXPECT_EQ(t.tree->Root(), Reference().Root(n));
  }
  // One full tile in the middle deleted: reads of it and Check() name it;
  // Rebuild() restores it.
  TileHashStore s(tmp.path(), {.cache_tiles = 2});
  ASSERT_EQ(s.LevelSize(0), n);
  const std::string victim = s.TilePath(0, 7);
  std::filesystem::remove(victim);
  EXPECT_THROW(s.Get(0, 7 * 256 + 3), CorruptionError);
  TileCheck c = s.Check();
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.tile, victim) << c.reason;
  std::vector<Hash> leaves(AllLeaves().begin(), AllLeaves().begin() + n);
  s.Rebuild(leaves);
  c = s.Check(Reference().Root(n));
  EXPECT_TRUE(c.ok) << c.tile << ": " << c.reason;
  EXPECT_TRUE(std::filesystem::exists(victim));
  MerkleTree tree(std::make_unique<TileHashStore>(tmp.path()));
  std::mt19937_64 rng(2);
  ExpectSameAsReference(tree, rng);
}

TEST(TileStoreTest, FlippedBitInAnyTileIsNamedByCheck) {
  TempDir tmp;
  const std::uint64_t n = 3000;
  TileTree t(tmp.path(), {.cache_tiles = 2});
  AppendUpTo(*t.tree, n);
  t.store->Flush();
  const Hash root = Reference().Root(n);
  ASSERT_TRUE(t.store->Check(root).ok);
  const std::vector<std::string> files = TileFiles(tmp.path());
  ASSERT_GE(files.size(), 20u);
  std::mt19937_64 rng(3);
  const std::vector<Hash> leaves(AllLeaves().begin(), AllLeaves().begin() + n);
  for (const std::string& file : files) {
    for (int trial = 0; trial < 3; ++trial) {
      const std::size_t size = std::filesystem::file_size(file);
      // Any byte: a hash, or the CRC (the last trial).
      const std::size_t byte = trial == 2 ? size - 1 - rng() % 4 : rng() % (size - 4);
      FlipBit(file, byte, static_cast<int>(rng() % 8));
      {
        // The store that was open when the bit flipped (bit rot).
        const TileCheck c = t.store->Check(root);
        EXPECT_FALSE(c.ok) << file << " byte " << byte;
        EXPECT_EQ(c.tile, file) << c.reason;
      }
      t.tree.reset();
      {
        // A reopen either drops the tile as torn (it covers fewer leaves,
        // which the caller re-adds) or its Check() names the tile (the
        // caller rebuilds).
        TileTree r(tmp.path(), {.cache_tiles = 2});
        const TileCheck rc = r.store->Check(root);
        if (r.tree->size() < n) {
          AppendUpTo(*r.tree, n);
          r.store->Flush();
        } else {
          EXPECT_FALSE(rc.ok) << file;
          EXPECT_EQ(rc.tile, file) << rc.reason;
          r.store->Rebuild(leaves);
        }
      }
      t = TileTree(tmp.path(), {.cache_tiles = 2});
      ASSERT_EQ(t.tree->size(), n);
      const TileCheck again = t.store->Check(root);
      ASSERT_TRUE(again.ok) << file << ": " << again.tile << " " << again.reason;
    }
  }
}

TEST(TileStoreTest, ForgedTileWithValidCrcFailsParentOrRootCheck) {
  TempDir tmp;
  const std::uint64_t n = 1000;  // level 0: 3 full tiles and 232 hashes
  TileTree t(tmp.path());
  AppendUpTo(*t.tree, n);
  t.store->Flush();
  Hash root = Reference().Root(n);
  // A hash with a parent: Check() names the tile even without a root.
  const std::string tile = t.store->TilePath(0, 1);
  std::vector<Hash> hashes = ReadTile(tile);
  hashes[17][0] ^= 1;
  WriteTile(tile, hashes);
  TileHashStore s(tmp.path());
  TileCheck c = s.Check();
  EXPECT_FALSE(c.ok);
  EXPECT_EQ(c.tile, tile) << c.reason;
  hashes[17][0] ^= 1;
  WriteTile(tile, hashes);
  ASSERT_TRUE(TileHashStore(tmp.path()).Check(root).ok);
  // Every hash above level 0 is checked against its children; with an odd
  // size the last leaf has no parent either: only the known root finds it.
  AppendUpTo(*t.tree, n + 1);
  t.store->Flush();
  root = Reference().Root(n + 1);
  const std::string p0 = s.PartialPath(0, 3);  // leaves 768..1000
  std::vector<Hash> edge = ReadTile(p0);
  ASSERT_EQ(edge.size(), 233u);
  edge[232][5] ^= 0x80;
  WriteTile(p0, edge);
  TileHashStore s2(tmp.path());
  EXPECT_TRUE(s2.Check().ok);
  c = s2.Check(root);
  EXPECT_FALSE(c.ok);
  EXPECT_NE(c.reason.find("root"), std::string::npos) << c.reason;
}

TEST(TileStoreTest, TornTilesAreTreatedAsMissingAndRecovered) {
  TempDir tmp;
  const std::uint64_t n = 1000;
  std::string partial0, last_full0;
  {
    TileTree t(tmp.path());
    AppendUpTo(*t.tree, n);
    t.store->Flush();
    partial0 = t.store->PartialPath(0, 3);
    last_full0 = t.store->TilePath(0, 2);
  }
  std::filesystem::resize_file(partial0, 100);  // torn partial tile
  std::mt19937_64 rng(4);
  {
    TileTree t(tmp.path());
    EXPECT_EQ(t.tree->size(), 768u);
    ExpectSameAsReference(*t.tree, rng);
    AppendUpTo(*t.tree, n);
    t.store->Flush();
    EXPECT_EQ(t.tree->Root(), Reference().Root(n));
  }
  std::filesystem::resize_file(last_full0, 8192 - 32);  // torn (short) full tile
  {
    TileTree t(tmp.path());
    EXPECT_EQ(t.tree->size(), 512u);
    ExpectSameAsReference(*t.tree, rng);
    AppendUpTo(*t.tree, n);
    t.store->Flush();
  }
  // The same size but a bad CRC (a tile whose data never reached the disk).
  std::filesystem::resize_file(last_full0, 0);
  std::filesystem::resize_file(last_full0, 8196);
  {
    TileTree t(tmp.path());
    EXPECT_EQ(t.tree->size(), 512u);
    AppendUpTo(*t.tree, n);
    t.store->Flush();
    EXPECT_TRUE(t.store->Check(Reference().Root(n)).ok);
  }
  TileTree t(tmp.path());
  EXPECT_EQ(t.tree->size(), n);
  ExpectSameAsReference(*t.tree, rng);
}

TEST(TileStoreTest, ReopenAfterCrashWhereTilesLagTheLog) {
  TempDir tmp;
  std::mt19937_64 rng(5);
  std::uint64_t flushed = 0, logged = 0;
  for (int round = 0; round < 8; ++round) {
    TileTree t(tmp.path(), {.cache_tiles = 3});
    // Covers at least what was flushed, at most what was logged.
    EXPECT_GE(t.tree->size(), flushed) << round;
    EXPECT_LE(t.tree->size(), logged) << round;
    ExpectSameAsReference(*t.tree, rng);
    AppendUpTo(*t.tree, logged);  // re-add the missing leaves from "the log"
    flushed = std::min<std::uint64_t>(19000, logged + rng() % 2000);
    AppendUpTo(*t.tree, flushed);
    t.store->Flush();
    logged = std::min<std::uint64_t>(20000, flushed + rng() % 1500);
    AppendUpTo(*t.tree, logged);
    // "Crash": the store goes away without a Flush.
  }
  // The log was cut back below what the tiles hold: the caller truncates.
  TileTree t(tmp.path());
  ASSERT_GE(t.tree->size(), 1000u);
  t.tree->Truncate(t.tree->size() - 777);
  const std::uint64_t n = t.tree->size();
  t.store->Flush();
  TileTree t2(tmp.path());
  EXPECT_EQ(t2.tree->size(), n);
  ExpectSameAsReference(*t2.tree, rng);
}

// Every kind of injected failure, at many points: the call throws, the tree
// in memory keeps its previous state, and a reopen covers a prefix that is
// right (and is made whole again by re-adding leaves).
TEST(TileStoreTest, InjectedFaultsLeavePreviousStateIntact) {
  struct Case {
    FaultInjectionEnv::Call call;
    bool sync;
    std::optional<std::size_t> short_bytes;
  };
  const Case cases[] = {
      {FaultInjectionEnv::kOpen, false, {}},      {FaultInjectionEnv::kAppend, false, {}},
      {FaultInjectionEnv::kAppend, false, 1000},  {FaultInjectionEnv::kRename, false, {}},
      {FaultInjectionEnv::kCreateDir, false, {}}, {FaultInjectionEnv::kSync, true, {}},
      {FaultInjectionEnv::kSyncDir, true, {}}};
  std::mt19937_64 rng(6);
  int faults = 0;
  for (const Case& c : cases) {
    for (int nth = 1; nth <= 9; nth += 2) {
      TempDir tmp;
      FaultInjectionEnv env;
      std::uint64_t n = 0;
      {
        TileTree t(tmp.path(), {.env = &env, .cache_tiles = 2, .sync = c.sync});
        AppendUpTo(*t.tree, 700 + 37 * static_cast<std::uint64_t>(nth));
        t.store->Flush();
        env.Arm(c.call, nth, "", false, c.short_bytes);
        bool threw = false;
        try {
          for (int i = 0; i < 3000; ++i) {
            AppendUpTo(*t.tree, t.tree->size() + 1);
            if (i % 500 == 499) t.store->Flush();
          }
        } catch (const IOError&) {
          threw = true;
        }
        ASSERT_TRUE(threw) << c.call << " " << nth;
        ++faults;
        n = t.tree->size();
        ExpectSameAsReference(*t.tree, rng);  // nothing lost in memory
        // The store keeps working after the error.
        AppendUpTo(*t.tree, n + 300);
        t.store->Flush();
        n += 300;
        EXPECT_EQ(t.tree->Root(), Reference().Root(n));
        // Fail once more, this time inside Flush(), then "crash".
        AppendUpTo(*t.tree, n + 100);
        env.Arm(c.call, 1, "", false, c.short_bytes);
        try {
          t.store->Flush();
        } catch (const IOError&) {
        }
        env.DisarmAll();
      }
      TileTree t(tmp.path(), {.env = &env});
      EXPECT_LE(t.tree->size(), n + 100);
      EXPECT_GE(t.tree->size(), n - n % 256 - 256);  // at most the right edge lost
      ExpectSameAsReference(*t.tree, rng);
      AppendUpTo(*t.tree, n + 100);
      t.store->Flush();
      const TileCheck check = t.store->Check(Reference().Root(n + 100));
      EXPECT_TRUE(check.ok) << check.tile << ": " << check.reason;
    }
  }
  EXPECT_EQ(faults, 35);
}

}  // namespace
}  // namespace nedb::merkle

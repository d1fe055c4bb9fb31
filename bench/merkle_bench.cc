// SPDX-License-Identifier: Apache-2.0
// The RFC 9162 Merkle tree (issue 14): append, roots, proofs and their
// verification at 1M leaves, and the SHA-256 call styles for the 65-byte
// interior nodes (why src/merkle/hash.cc uses SHA256_Init/Update/Final).
// Bars (issue 14): ProveInclusion >= 200k/s and VerifyInclusion >= 500k/s at
// 1M ops. Results: bench/RESULTS.md, "Merkle tree (issue 14 foundation)".
#include <benchmark/benchmark.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "merkle/hash.h"
#include "merkle/merkle_tree.h"
#include "merkle/tile_store.h"
#include "nedb/proof.h"

namespace {

using nedb::merkle::Hash;
using nedb::merkle::MerkleTree;

constexpr std::uint64_t kLeaves = 1000000;

std::vector<Hash> Leaves(std::uint64_t n) {
  std::vector<Hash> out;
  out.reserve(n);
  std::string entry(100, 'x');
  for (std::uint64_t i = 0; i < n; ++i) {
    entry.replace(0, 20, std::to_string(i));
    out.push_back(nedb::merkle::HashLeaf(entry));
  }
  return out;
}

// One tree of kLeaves leaves, built once.
const MerkleTree& Tree() {
  static const MerkleTree* tree = [] {
    auto* t = new MerkleTree();
    for (const Hash& h : Leaves(kLeaves)) t->Append(h);
    return t;
  }();
  return *tree;
}

// ---- SHA-256 of an interior node (1 + 32 + 32 bytes) ----------------------

unsigned char g_node[65] = {1};

void BM_Sha256Node_LowLevel(benchmark::State& state) {  // what hash.cc does
  Hash l{}, r{};
  for (auto _ : state) {
    l = nedb::merkle::HashChildren(l, r);
    benchmark::DoNotOptimize(l);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Sha256Node_LowLevel);

void BM_Sha256Node_EvpReusedCtx(benchmark::State& state) {
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned char out[32];
  for (auto _ : state) {
    EVP_DigestInit_ex2(ctx, md, nullptr);
    EVP_DigestUpdate(ctx, g_node, sizeof g_node);
    EVP_DigestFinal_ex(ctx, out, nullptr);
    g_node[1] = out[0];
  }
  EVP_MD_CTX_free(ctx);
  EVP_MD_free(md);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Sha256Node_EvpReusedCtx);

void BM_Sha256Node_EvpDigestCachedMd(benchmark::State& state) {
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  unsigned char out[32];
  for (auto _ : state) {
    EVP_Digest(g_node, sizeof g_node, out, nullptr, md, nullptr);
    g_node[1] = out[0];
  }
  EVP_MD_free(md);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Sha256Node_EvpDigestCachedMd);

void BM_Sha256Node_OneShotSHA256(benchmark::State& state) {
  unsigned char out[32];
  for (auto _ : state) {
    SHA256(g_node, sizeof g_node, out);
    g_node[1] = out[0];
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Sha256Node_OneShotSHA256);

// ---- The tree at 1M leaves -----------------------------------------------

// Appends 1M precomputed leaf hashes to an empty tree (one iteration = 1M).
void BM_Append1M(benchmark::State& state) {
  const std::vector<Hash> leaves = Leaves(kLeaves);
  for (auto _ : state) {
    MerkleTree tree;
    for (const Hash& h : leaves) tree.Append(h);
    benchmark::DoNotOptimize(tree.size());
  }
  state.SetItemsProcessed(state.iterations() * kLeaves);
}
BENCHMARK(BM_Append1M)->Unit(benchmark::kMillisecond);

// Root of a random size close to 1M (the incomplete right edge is hashed).
void BM_Root1M(benchmark::State& state) {
  const MerkleTree& tree = Tree();
  std::mt19937_64 rng(1);
  for (auto _ : state) {
    benchmark::DoNotOptimize(tree.Root(kLeaves - rng() % 1000));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Root1M);

// prove(): the hex InclusionProof of a random leaf in the 1M-leaf tree.
void BM_ProveInclusion1M(benchmark::State& state) {
  const MerkleTree& tree = Tree();
  std::mt19937_64 rng(2);
  for (auto _ : state) {
    benchmark::DoNotOptimize(tree.ProveInclusion(rng() % kLeaves, kLeaves));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ProveInclusion1M);

// The same as binary hashes (no hex).
void BM_InclusionPath1M(benchmark::State& state) {
  const MerkleTree& tree = Tree();
  std::mt19937_64 rng(3);
  for (auto _ : state) {
    benchmark::DoNotOptimize(tree.InclusionPath(rng() % kLeaves, kLeaves));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InclusionPath1M);

// VerifyInclusion of 4096 precomputed proofs of random leaves, in turn.
void BM_VerifyInclusion1M(benchmark::State& state) {
  const MerkleTree& tree = Tree();
  const std::string root = nedb::merkle::ToHex(tree.Root());
  std::mt19937_64 rng(4);
  std::vector<nedb::InclusionProof> proofs;
  for (int i = 0; i < 4096; ++i) proofs.push_back(tree.ProveInclusion(rng() % kLeaves, kLeaves));
  std::size_t i = 0;
  for (auto _ : state) {
    if (!nedb::VerifyInclusion(proofs[i++ & 4095], root)) state.SkipWithError("did not verify");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyInclusion1M);
// Verification is a pure function: two threads (this machine's two cores),
// throughput in wall-clock time.
BENCHMARK(BM_VerifyInclusion1M)->Threads(2)->UseRealTime();

void BM_ProveConsistency1M(benchmark::State& state) {
  const MerkleTree& tree = Tree();
  std::mt19937_64 rng(5);
  for (auto _ : state) {
    benchmark::DoNotOptimize(tree.ProveConsistency(1 + rng() % (kLeaves - 1), kLeaves));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ProveConsistency1M);

// VerifyConsistency from a random earlier size to 1M (roots precomputed).
void BM_VerifyConsistency1M(benchmark::State& state) {
  const MerkleTree& tree = Tree();
  const std::string root2 = nedb::merkle::ToHex(tree.Root());
  std::mt19937_64 rng(6);
  struct Case {
    nedb::ConsistencyProof proof;
    std::string root1;
  };
  std::vector<Case> cases;
  for (int i = 0; i < 4096; ++i) {
    const std::uint64_t m = 1 + rng() % (kLeaves - 1);
    cases.push_back({tree.ProveConsistency(m, kLeaves), nedb::merkle::ToHex(tree.Root(m))});
  }
  std::size_t i = 0;
  for (auto _ : state) {
    const Case& c = cases[i++ & 4095];
    if (!nedb::VerifyConsistency(c.proof, c.root1, root2)) state.SkipWithError("did not verify");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_VerifyConsistency1M);

// ---- The same with the tree on disk (TileHashStore) ----------------------

// A fresh temp directory for a tile store (removed by the caller).
std::string TileDir(const char* name) {
  const char* base = std::getenv("TMPDIR");
  std::string dir = std::string(base ? base : "/tmp") + "/nedb-merkle-bench-" + name;
  std::filesystem::remove_all(dir);
  return dir;
}

// Appends 1M leaf hashes to an empty tile-backed tree and flushes (one
// iteration = 1M; full tiles are written as they fill, no fsync).
void BM_TileStoreAppend1M(benchmark::State& state) {
  const std::vector<Hash> leaves = Leaves(kLeaves);
  const std::string dir = TileDir("append");
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
    auto store = std::make_unique<nedb::merkle::TileHashStore>(dir);
    auto* s = store.get();
    MerkleTree tree(std::move(store));
    for (const Hash& h : leaves) tree.Append(h);
    s->Flush();
    benchmark::DoNotOptimize(tree.size());
    state.counters["tile_writes"] = static_cast<double>(s->tile_writes());
  }
  state.SetItemsProcessed(state.iterations() * kLeaves);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_TileStoreAppend1M)->Unit(benchmark::kMillisecond);

// prove() from a reopened 1M-leaf tile store with a cache of range(0) tiles
// (8 KiB each): 16 = 128 KiB, so nearly every proof reads tiles from files;
// 1024 = 8 MiB (the default).
void BM_TileStoreProveInclusion1M(benchmark::State& state) {
  const std::string dir = TileDir("prove");
  {
    nedb::merkle::TileHashStore s(dir);
    s.Rebuild(Leaves(kLeaves));
  }
  auto store = std::make_unique<nedb::merkle::TileHashStore>(
      dir, nedb::merkle::TileStoreOptions{.cache_tiles = static_cast<std::size_t>(state.range(0))});
  auto* s = store.get();
  MerkleTree tree(std::move(store));
  std::mt19937_64 rng(2);
  for (auto _ : state) {
    benchmark::DoNotOptimize(tree.ProveInclusion(rng() % kLeaves, kLeaves));
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["tile_reads_per_proof"] =
      static_cast<double>(s->tile_reads()) / static_cast<double>(state.iterations());
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_TileStoreProveInclusion1M)->Arg(16)->Arg(1024);

}  // namespace

BENCHMARK_MAIN();

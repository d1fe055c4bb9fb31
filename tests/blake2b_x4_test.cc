// SPDX-License-Identifier: Apache-2.0
// Blake2bX4 (AVX2, 4 inputs at once) against the libsodium BLAKE2b-512.
#include "util/blake2b_x4.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>

#include "util/blake2b.h"

namespace nedb {
namespace {

TEST(Blake2bX4Test, MatchesLibsodiumOnEveryLane) {
  std::mt19937_64 rng(42);
  for (std::size_t len : {128u, 256u, 384u, 4096u, 1u << 20}) {
    std::string data[4];
    for (std::string& d : data) {
      d.resize(len);
      for (char& c : d) c = static_cast<char>(rng());
    }
    data[3] = data[2];  // equal inputs in two lanes
    data[3][len / 2] ^= 1;
    std::uint8_t digests[4][kDigestBytes];
    const char* in[4] = {data[0].data(), data[1].data(), data[2].data(), data[3].data()};
    std::uint8_t* out[4] = {digests[0], digests[1], digests[2], digests[3]};
    if (!Blake2bX4(in, len, out)) GTEST_SKIP() << "no AVX2 on this CPU";
    for (int i = 0; i < 4; ++i) {
      const Digest want = Blake2b(data[i]);
      EXPECT_EQ(std::memcmp(digests[i], want.data(), kDigestBytes), 0)
          << "len " << len << " lane " << i;
    }
  }
}

TEST(Blake2bX4Test, RefusesLengthsThatAreNotWholeBlocks) {
  const std::string d(200, 'x');
  const char* in[4] = {d.data(), d.data(), d.data(), d.data()};
  std::uint8_t buf[4][kDigestBytes];
  std::uint8_t* out[4] = {buf[0], buf[1], buf[2], buf[3]};
  EXPECT_FALSE(Blake2bX4(in, 0, out));
  EXPECT_FALSE(Blake2bX4(in, 100, out));
  EXPECT_FALSE(Blake2bX4(in, 200, out));
}

}  // namespace
}  // namespace nedb

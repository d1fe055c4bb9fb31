// SPDX-License-Identifier: Apache-2.0
// An Env whose clock the test sets (TTL tests: no sleeps for expiry).
#ifndef NEDB_TESTS_CLOCK_ENV_H_
#define NEDB_TESTS_CLOCK_ENV_H_

#include <atomic>
#include <cstdint>

#include "nedb/env.h"

namespace nedb::test {

class ClockEnv : public EnvWrapper {
 public:
  // Starts at `start_us` (microseconds since the Unix epoch).
  explicit ClockEnv(std::int64_t start_us = 1'700'000'000'000'000)
      : EnvWrapper(Env::Default()), now_us(start_us) {}
  std::int64_t NowMicros() override { return now_us.load(); }
  void Advance(double seconds) { now_us += static_cast<std::int64_t>(seconds * 1e6); }
  std::atomic<std::int64_t> now_us;
};

}  // namespace nedb::test

#endif  // NEDB_TESTS_CLOCK_ENV_H_

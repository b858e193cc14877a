// Copyright annals authors.
//
// Helpers shared by the fuzzy-date tests (fuzzy_date_*_test.cc): instants of the
// calendar as microseconds since the epoch, and parsing that expects success or a given
// error.
//
// Expected microsecond values were computed independently (Python's datetime, shifted by
// 400-year cycles outside its years 1..9999; glibc's timegm in the generated tests), not
// with the code under test.  Where edtf.js (npm `edtf` 4.11) agrees it was checked too.

#ifndef ANNALS_TESTS_FUZZY_DATE_TEST_UTIL_H_
#define ANNALS_TESTS_FUZZY_DATE_TEST_UTIL_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "annals/fuzzy_date.h"

namespace annals {
namespace test {

// µs since epoch of some UTC instants.
inline constexpr int64_t k2024_02_29 = 1709164800000000;
inline constexpr int64_t k2024_03_01 = 1709251200000000;
inline constexpr int64_t k2024_11_01 = 1730419200000000;
inline constexpr int64_t k2025_01_01 = 1735689600000000;
inline constexpr int64_t k2025_02_01 = 1738368000000000;
inline constexpr int64_t k2025_02_11T08 = 1739260800000000;
inline constexpr int64_t k2025_02_12 = 1739318400000000;
inline constexpr int64_t k2025_03_01 = 1740787200000000;
inline constexpr int64_t k2025_04_01 = 1743465600000000;
inline constexpr int64_t k2025_04_15 = 1744675200000000;
inline constexpr int64_t k2025_04_16 = 1744761600000000;
inline constexpr int64_t k2025_05_01 = 1746057600000000;
inline constexpr int64_t k2025_07_01 = 1751328000000000;
inline constexpr int64_t k2025_10_01 = 1759276800000000;
inline constexpr int64_t k2026_01_01 = 1767225600000000;
inline constexpr int64_t k2000_02_29 = 951782400000000;
inline constexpr int64_t k1900_01_01 = -2208988800000000;
inline constexpr int64_t k1600_02_29T12 = -11670955200000000;
inline constexpr int64_t k0001_01_01 = -62135596800000000;
inline constexpr int64_t k0000_01_01 = -62167219200000000;
inline constexpr int64_t kMinus9999_01_01 = -377705116800000000;
inline constexpr int64_t k9999_12_31_last = 253402300799999999;  // 9999-12-31T23:59:59.999999Z
inline constexpr int64_t kDay = 86400000000;

inline FuzzyDate MustParse(std::string_view text) {
  Result<FuzzyDate> r = ParseFuzzyDate(text);
  EXPECT_TRUE(r.ok()) << "'" << text << "': " << r.status().message();
  return r.ok() ? r.value() : FuzzyDate();
}

// Asserts `text` is rejected as InvalidArgument with a message naming the value (quoted as
// `shown`) and containing `problem`.
inline void ExpectInvalid(std::string_view text, std::string_view problem,
                          std::string_view shown = {}) {
  SCOPED_TRACE(std::string("input '") + std::string(text) + "'");
  Result<FuzzyDate> r = ParseFuzzyDate(text);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
  const std::string& msg = r.status().message();
  const std::string quoted = "'" + std::string(shown.empty() ? text : shown) + "'";
  EXPECT_NE(msg.find("invalid date " + quoted), std::string::npos) << msg;
  EXPECT_NE(msg.find(problem), std::string::npos) << msg;
}

// Each end's qualifier as written, "start/end": "~/?" for 2024-11~/2025-02?.
inline std::string EndQualifiers(const FuzzyDate& d) {
  auto one = [](bool approximate, bool uncertain) -> std::string {
    return approximate && uncertain ? "%" : approximate ? "~" : uncertain ? "?" : "";
  };
  return one(d.start_approximate, d.start_uncertain) + "/" +
         one(d.end_approximate, d.end_uncertain);
}

}  // namespace test
}  // namespace annals

#endif  // ANNALS_TESTS_FUZZY_DATE_TEST_UTIL_H_

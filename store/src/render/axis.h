// Copyright annals authors.
//
// The time axis of the picture: which stretch of valid time it shows, where an instant
// lies on it, and its ticks.
//
// Any int64 instant may come in, the unbounded ends of EDTF intervals (kUnboundedEarliest,
// kUnboundedLatest) included: positions are computed in double and clamped to the axis,
// so nothing overflows.  The ticks are months, quarters or years, whichever fit the span;
// years step by 1, 2, 5, 10, 20, 50... so that an axis from 44 BCE to today, or across
// EDTF's widest years (±290,000), still has a dozen labels.  Years are astronomical
// (0 = 1 BCE) and labelled as integers ("-44", "0", "2025", "12000").

#ifndef ANNALS_STORE_SRC_RENDER_AXIS_H_
#define ANNALS_STORE_SRC_RENDER_AXIS_H_

#include <cstdint>
#include <string>

namespace annals {
namespace internal {
namespace render {

class Axis {
 public:
  // An axis over at least [lo, hi] (microseconds since the epoch, lo <= hi, either may lie
  // beyond int64), widened to whole ticks, drawn from x = `left` to x = `right`.
  Axis(double lo, double hi, double left, double right);

  // The x of instant `t`, clamped to the axis.
  double X(double t) const;
  double left() const { return left_; }
  double right() const { return right_; }
  // The first and last instant of the axis.
  double start() const { return t0_; }
  double end() const { return t1_; }
  // Whether `t` lies before or after the axis (an open end, or an instant clamped).
  bool Before(double t) const { return t < t0_; }
  bool After(double t) const { return t > t1_; }
  // The unit of the ticks: 1 (months), 3 (quarters) or 12 (years).
  int unit_months() const { return unit_months_; }

  // The tick labels above `y_axis` and the gridlines from it down to `y_bottom`.
  std::string Draw(double y_axis, double y_bottom) const;

 private:
  double MonthStart(int64_t month) const;  // month: months since year 0, January

  double left_, right_;
  double t0_ = 0, t1_ = 1;
  int64_t first_month_ = 0, last_month_ = 1;  // months since year 0: [first, last)
  int unit_months_ = 1;
  int64_t year_step_ = 1;
};

}  // namespace render
}  // namespace internal
}  // namespace annals

#endif  // ANNALS_STORE_SRC_RENDER_AXIS_H_

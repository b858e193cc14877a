// Copyright annals authors.

#include "render/axis.h"

#include <algorithm>
#include <cmath>

#include "dates/calendar.h"
#include "render/text.h"
#include "render/tone.h"

namespace annals {
namespace internal {
namespace render {
namespace {

constexpr double kMicrosPerDay = static_cast<double>(kSecondsPerDay * kMicrosPerSecond);

// Months since year 0 (January) of instant `t`, clamped to the calendar's years.
int64_t MonthOf(double t) {
  const double days = std::floor(t / kMicrosPerDay);
  const double max_days = 366.0 * static_cast<double>(kMaxCalendarYear);
  const Civil c = CivilFromDays(static_cast<int64_t>(std::clamp(days, -max_days, max_days)));
  return c.year * 12 + (c.month - 1);
}

// 1, 2, 5, 10, 20, 50... : the smallest step that labels at most `max_labels` of `years`.
int64_t YearStep(int64_t years, int64_t max_labels) {
  for (int64_t base = 1;; base *= 10) {
    for (int64_t m : {1, 2, 5}) {
      if (years / (m * base) <= max_labels) return m * base;
    }
  }
}

}  // namespace

Axis::Axis(double lo, double hi, double left, double right) : left_(left), right_(right) {
  const double months = (hi - lo) / (30.44 * kMicrosPerDay);
  unit_months_ = months <= 15 ? 1 : months <= 60 ? 3 : 12;
  int64_t am = MonthOf(lo), bm = MonthOf(hi);
  am -= FloorMod(am, unit_months_);
  bm += unit_months_ - FloorMod(bm, unit_months_);
  if (unit_months_ == 12) {
    // A label needs about 60 px.
    year_step_ = YearStep((bm - am) / 12,
                          std::max<int64_t>(4, static_cast<int64_t>((right_ - left_) / 60)));
    // Whole steps, so that the first and last labels sit at the ends.
    const int64_t step_months = 12 * year_step_;
    am -= FloorMod(am, step_months);
    if (FloorMod(bm, step_months) != 0) bm += step_months - FloorMod(bm, step_months);
  }
  first_month_ = am;
  last_month_ = bm;
  t0_ = MonthStart(am);
  t1_ = MonthStart(bm);
}

double Axis::MonthStart(int64_t month) const {
  const int64_t y = FloorDiv(month, 12);
  const int m = static_cast<int>(FloorMod(month, 12)) + 1;
  return static_cast<double>(DaysFromCivil(y, m, 1)) * kMicrosPerDay;
}

double Axis::X(double t) const {
  const double c = std::clamp(t, t0_, t1_);
  return left_ + (right_ - left_) * (c - t0_) / (t1_ - t0_);
}

std::string Axis::Draw(double y_axis, double y_bottom) const {
  static const char* kMonth[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::string grid, labels;
  const std::string font = std::string(" font-family=\"") + kFont + "\"";
  auto gridline = [&](double x, bool strong) {
    grid += "<line x1=\"" + Num(x) + "\" y1=\"" + Num(y_axis) + "\" x2=\"" + Num(x) +
            "\" y2=\"" + Num(y_bottom) + "\" stroke=\"" + (strong ? "#cbd5e1" : "#eef2f7") +
            "\" stroke-width=\"1\"/>";
  };
  auto tick = [&](double x, const std::string& text) {
    labels += "<text class=\"tick\" x=\"" + Num(x) + "\" y=\"" + Num(y_axis - 7) +
              "\" text-anchor=\"middle\" font-size=\"11\" fill=\"" + colour::kMuted + "\"" +
              font + ">" + text + "</text>";
  };
  if (unit_months_ == 12) {
    // One label per step, centred on its first year when a year is wide enough, else at
    // the gridline.
    const int64_t step_months = 12 * year_step_;
    const double year_px = X(MonthStart(first_month_ + 12)) - X(t0_);
    for (int64_t m = first_month_; m < last_month_; m += step_months) {
      const double x0 = X(MonthStart(m));
      gridline(x0, true);
      const std::string text = std::to_string(FloorDiv(m, 12));
      tick(year_step_ == 1 && year_px >= 30 ? (x0 + X(MonthStart(m + 12))) / 2 : x0, text);
    }
    if (year_step_ > 1) tick(X(t1_), std::to_string(FloorDiv(last_month_, 12)));
  } else {
    for (int64_t m = first_month_; m < last_month_; m += unit_months_) {
      const int64_t y = FloorDiv(m, 12);
      const int mon = static_cast<int>(FloorMod(m, 12)) + 1;
      const double x0 = X(MonthStart(m)), x1 = X(MonthStart(m + unit_months_));
      const bool year_start = mon == 1;
      gridline(x0, year_start);
      tick((x0 + x1) / 2,
           unit_months_ == 1 ? kMonth[mon - 1] : "Q" + std::to_string((mon - 1) / 3 + 1));
      // Year labels above quarter / month ticks, centred on the year's visible part.
      if (year_start || m == first_month_) {
        const double yx0 = X(std::max(t0_, MonthStart(y * 12)));
        const double yx1 = X(std::min(t1_, MonthStart(y * 12 + 12)));
        labels += "<text class=\"tick tick-year\" x=\"" + Num((yx0 + yx1) / 2) + "\" y=\"" +
                  Num(y_axis - 24) + "\" text-anchor=\"middle\" font-size=\"13\" " +
                  "font-weight=\"bold\" fill=\"" + colour::kInk + "\"" + font + ">" +
                  std::to_string(y) + "</text>";
        if (m != first_month_) {
          labels += "<line x1=\"" + Num(yx0) + "\" y1=\"" + Num(y_axis - 36) + "\" x2=\"" +
                    Num(yx0) + "\" y2=\"" + Num(y_axis) + "\" stroke=\"#cbd5e1\"/>";
        }
      }
    }
  }
  gridline(right_, true);
  return "<g class=\"axis\">" + grid + "<line x1=\"" + Num(left_) + "\" y1=\"" + Num(y_axis) +
         "\" x2=\"" + Num(right_) + "\" y2=\"" + Num(y_axis) + "\" stroke=\"#94a3b8\"/>" +
         labels + "</g>";
}

}  // namespace render
}  // namespace internal
}  // namespace annals

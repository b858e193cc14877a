// Copyright annals authors.
//
// The `timeline` command: SVG and HTML out, exit codes, the committed picture in docs/,
// and real renders of the deal and acquisition samples with headless Chromium.  The
// picture itself: timeline_*_test.cc.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "test_util.h"

namespace annals {
namespace {

using test::TempDir;


class TimelineCliTest : public testing::Test {
 protected:
  void SetUp() override {
    auto r = test::RunAnnals({"--db", db_, "import", test::SampleTimelinePath()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  TempDir dir_;
  std::string db_ = dir_.Sub("db");
};

TEST_F(TimelineCliTest, WritesSvgAndHtml) {
  auto r = test::RunAnnals({"--db", db_, "timeline", "--stream", "apple-intelligence-cn",
                            "--as-of", "2025-03", "--out", dir_.Sub("t.svg")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("wrote " + dir_.Sub("t.svg") + " (SVG, ", 0), 0u) << r.out;
  EXPECT_EQ(test::ReadFile(dir_.Sub("t.svg")).rfind("<?xml", 0), 0u);
  r = test::RunAnnals({"--db", db_, "timeline", "--stream", "apple-intelligence-cn", "--out",
                       dir_.Sub("t.html"), "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("{\"out\":", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\"format\":\"html\""), std::string::npos) << r.out;
  EXPECT_EQ(test::ReadFile(dir_.Sub("t.html")).rfind("<!DOCTYPE html>", 0), 0u);
  r = test::RunAnnals({"--db", db_, "--quiet", "timeline", "--stream", "apple-intelligence-cn",
                       "--out", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("<?xml", 0), 0u);
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("t.svg.tmp")));
}

TEST_F(TimelineCliTest, ErrorsHaveExitCodes) {
  auto r = test::RunAnnals({"--db", db_, "timeline", "--stream", "nope", "--out",
                            dir_.Sub("t.svg")});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.Sub("t.svg")));
  r = test::RunAnnals({"--db", db_, "timeline", "--stream", "apple-intelligence-cn"});
  EXPECT_EQ(r.exit_code, 2) << r.err;  // --out is required
  r = test::RunAnnals({"--db", db_, "timeline", "--stream", "apple-intelligence-cn", "--as-of",
                       "2025-13", "--out", dir_.Sub("t.svg")});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  r = test::RunAnnals({"--db", db_, "timeline", "--stream", "apple-intelligence-cn", "--out",
                       dir_.Sub("no/such/dir/t.svg")});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("cannot write"), std::string::npos) << r.err;
  r = test::RunAnnals({"--db", dir_.Sub("missing"), "timeline", "--stream", "s", "--out",
                       dir_.Sub("t.svg")});
  EXPECT_EQ(r.exit_code, 5) << r.err;
}

// The picture in the README is docs/apple-intelligence-cn.svg: the sample timeline after
// the two updates scripts/demo records (a slip to May, a back-dated filing).  Regenerate it
// with ANNALS_UPDATE_DOCS=1 after changing the renderer.
TEST_F(TimelineCliTest, DocsPictureIsUpToDate) {
  const std::string s = "apple-intelligence-cn";
  auto r = test::RunAnnals(
      {"--db", db_, "append", "--stream", s, "--type", "launch_target_set", "--effective",
       "2025-04~", "--data",
       R"({"target":"2025-05~","scope":"Apple Intelligence in simplified Chinese","internal":true})",
       "--source", "demo", "--by", "demo", "--id", "demo-slip"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = test::RunAnnals({"--db", db_, "append", "--stream", s, "--type", "correction", "--id",
                       "demo-fix", "--set", "target=aicn-08", "--set", "effective=2025-01~",
                       "--set", "reason=filing date corrected by a later report", "--by",
                       "demo"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = test::RunAnnals({"--db", db_, "timeline", "--stream", s, "--out", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string path = std::string(ANNALS_SOURCE_DIR) + "/docs/apple-intelligence-cn.svg";
  const char* update = std::getenv("ANNALS_UPDATE_DOCS");
  if (update != nullptr && *update != '\0') test::WriteFile(path, r.out);
  EXPECT_TRUE(test::ReadFile(path) == r.out)
      << path << " is out of date; regenerate it with ANNALS_UPDATE_DOCS=1 "
      << "annals_tests --gtest_filter=TimelineCliTest.DocsPictureIsUpToDate";
}

// ---- a real render -------------------------------------------------------------------------

std::string FindChromium() {
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
    for (const char* dir : {"/usr/bin", "/usr/local/bin", "/snap/bin"}) {
      std::string path = std::string(dir) + "/" + name;
      if (std::filesystem::exists(path)) return path;
    }
  }
  return "";
}

// Screenshots `url` at 1400x900; returns the PNG bytes ("" on failure).
std::string Screenshot(const std::string& chromium, const TempDir& dir, const std::string& file,
                       const std::string& png) {
  const std::string cmd =
      "timeout 120 '" + chromium +
      "' --headless --no-sandbox --disable-gpu --disable-background-networking "
      "--disable-component-update --disable-sync --no-first-run --hide-scrollbars "
      "--user-data-dir='" + dir.Sub("chromium-profile") + "' --screenshot='" + png +
      "' --window-size=1400,900 'file://" + file + "' >'" + dir.Sub("chromium.log") +
      "' 2>&1";
  const int rc = std::system(cmd.c_str());
  if (rc != 0) {
    ADD_FAILURE() << "chromium failed (" << rc << "): " << test::ReadFile(dir.Sub("chromium.log"));
    return "";
  }
  return test::ReadFile(png);
}

uint32_t BigEndian32(const std::string& s, size_t at) {
  return (static_cast<uint32_t>(static_cast<unsigned char>(s[at])) << 24) |
         (static_cast<uint32_t>(static_cast<unsigned char>(s[at + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<unsigned char>(s[at + 2])) << 8) |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 3]));
}

TEST_F(TimelineCliTest, RendersInHeadlessChromium) {
  const std::string chromium = FindChromium();
  if (chromium.empty()) {
    GTEST_SKIP() << "chromium is not installed (scripts/setup installs it)";
  }
  auto r = test::RunAnnals({"--db", db_, "timeline", "--stream", "apple-intelligence-cn",
                            "--as-of", "2025-03-01", "--out", dir_.Sub("t.svg")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string png = Screenshot(chromium, dir_, dir_.Sub("t.svg"), dir_.Sub("t.png"));
  ASSERT_GT(png.size(), 24u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(png.substr(12, 4), "IHDR");
  EXPECT_EQ(BigEndian32(png, 16), 1400u);
  EXPECT_EQ(BigEndian32(png, 20), 900u);
  // A blank page of the same size compresses to a few KB; a drawn timeline (text, lanes,
  // colours) to far more.  This catches an SVG that Chromium refuses to draw.
  test::WriteFile(dir_.Sub("blank.svg"),
                  "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1240\" height=\"600\">"
                  "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/></svg>");
  const std::string blank = Screenshot(chromium, dir_, dir_.Sub("blank.svg"), dir_.Sub("b.png"));
  ASSERT_FALSE(blank.empty());
  EXPECT_GT(png.size(), 20000u);
  EXPECT_GT(png.size(), 4 * blank.size()) << "blank " << blank.size() << ", timeline "
                                          << png.size();
  // The HTML page renders too.
  r = test::RunAnnals({"--db", db_, "timeline", "--stream", "apple-intelligence-cn", "--out",
                       dir_.Sub("t.html")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string html_png =
      Screenshot(chromium, dir_, dir_.Sub("t.html"), dir_.Sub("h.png"));
  EXPECT_GT(html_png.size(), 4 * blank.size());
  // A vocabulary the picture was not written for: the acquisition sample.
  r = test::RunAnnals({"--db", db_, "vocab", "add", "acquisition"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = test::RunAnnals(
      {"--db", db_, "import", std::string(ANNALS_SOURCE_DIR) + "/examples/msft-atvi.jsonl"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = test::RunAnnals({"--db", db_, "timeline", "--stream", "msft-atvi", "--out",
                       dir_.Sub("a.svg")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string acquisition =
      Screenshot(chromium, dir_, dir_.Sub("a.svg"), dir_.Sub("a.png"));
  EXPECT_GT(acquisition.size(), 4 * blank.size());
}

}  // namespace
}  // namespace annals

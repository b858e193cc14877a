// Copyright annals authors.

#include "common.h"

#include <cstdio>
#include <cstdlib>

namespace annals {
namespace cli {

std::string GlobalOptions::DbPath() const {
  if (!db.empty()) return db;
  const char* env = std::getenv("ANNALS_DB");
  if (env != nullptr && *env != '\0') return env;
  return "annals.db";
}

// SPEC §4 exit codes.  Status codes are defined to be the exit codes; this table is the
// one place that says so, should either ever change.
int ExitCode(const Status& status) {
  switch (status.code()) {
    case Status::Code::kOk: return 0;
    case Status::Code::kNotFound: return 1;
    case Status::Code::kInvalidArgument: return 2;
    case Status::Code::kConflict: return 3;
    case Status::Code::kCorruption: return 4;
    case Status::Code::kUnavailable: return 5;
  }
  return 5;
}

int Fail(const Status& status) {
  std::fprintf(stderr, "annals: %s\n", status.message().c_str());
  return ExitCode(status);
}

Result<std::unique_ptr<Store>> OpenStore(const GlobalOptions& global, bool create) {
  Options options;
  options.create_if_missing = create;
  options.sync = !global.no_sync;
  return Store::Open(global.DbPath(), options);
}

void AddFormatOption(CLI::App* sub, GlobalOptions* global) {
  sub->add_option("--format", global->format, "Output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->default_str("text");
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out += "\"";
  return out;
}

}  // namespace cli
}  // namespace annals

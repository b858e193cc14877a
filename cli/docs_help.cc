// Copyright annals authors.
//
// The manual as text (docs.h): `annals help` prints all of it, `annals help COMMAND` one
// command.  Wrapped at 79 columns; names in bold when the output is coloured.

#include <algorithm>
#include <string>

#include "common.h"
#include "docs.h"

namespace annals {
namespace cli {
namespace docs {

namespace {

// Wraps `text` at `width` columns, every line indented by `indent` spaces.
std::string Wrap(const std::string& text, size_t indent, size_t width = 79) {
  std::string out, line;
  const std::string pad(indent, ' ');
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find_first_of(" \n", start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    if (!line.empty() && pad.size() + line.size() + 1 + word.size() > width) {
      out += pad + line + "\n";
      line.clear();
    }
    if (!word.empty()) line += (line.empty() ? "" : " ") + word;
    if (end < text.size() && text[end] == '\n') {
      out += pad + line + "\n";
      line.clear();
    }
    start = end + 1;
  }
  if (!line.empty()) out += pad + line + "\n";
  return out;
}

std::string OptionText(const OptionDoc& o) {
  std::string head = "  " + Paint(o.Flags(), Style::kBold);
  if (o.required) head += "  (required)";
  if (o.repeatable && o.description.find("repeat") == std::string::npos) {
    head += "  (repeatable)";
  }
  return head + "\n" + Wrap(o.description, 6);
}

std::string Heading(const std::string& h) { return Paint(h, Style::kBold) + "\n"; }

}  // namespace

std::string CommandText(const CommandDoc& c) {
  std::string out = Paint("annals " + c.name, Style::kBold) + " - " + c.description + "\n\n";
  out += Wrap(Synopsis(c), 2) + "\n";
  if (!c.options.empty()) {
    out += "  Options:\n";
    for (const auto& o : c.options) out += "  " + OptionText(o);
  }
  if (!c.footer.empty()) out += "\n" + c.footer + "\n";
  return out;
}

std::string ManualText(const Manual& m) {
  std::string out = Heading("NAME") + "  annals - " + kSummary + "\n\n";
  out += Heading("SYNOPSIS") +
         "  annals [--db DIR] [-q] [--no-sync] [--wait SECONDS] COMMAND [OPTIONS]\n"
         "  annals help [COMMAND]\n\n";
  out += Heading("DESCRIPTION") + Wrap(m.description, 2) + "\n";
  out += Heading("GLOBAL OPTIONS");
  for (const auto& o : m.global) out += OptionText(o);
  out += "\n" + Heading("COMMANDS");
  size_t w = 0;
  for (const auto& c : m.commands) w = std::max(w, c.name.size());
  for (const auto& c : m.commands) {
    out += "  " + c.name + std::string(w - c.name.size() + 2, ' ') + c.description + "\n";
  }
  for (const auto& c : m.commands) out += "\n" + CommandText(c);
  out += "\n" + Heading("ENVIRONMENT");
  for (const auto& [k, v] : Environment()) out += "  " + k + "\n" + Wrap(v, 6);
  out += "\n" + Heading("EXIT STATUS");
  for (const auto& [k, v] : ExitStatus()) out += "  " + k + "  " + v + "\n";
  return out;
}

}  // namespace docs
}  // namespace cli
}  // namespace annals

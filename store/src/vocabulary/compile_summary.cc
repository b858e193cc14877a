// Copyright annals authors.
//
// CompileSummary (compile_summary.h): an event type's $A.summary template, from text to
// literal, placeholder and group parts.

#include "vocabulary/compile_summary.h"

#include <string>
#include <utility>
#include <vector>

#include "vocabulary/compile_refs.h"

namespace annals {
namespace internal {

namespace {

bool HasPlaceholder(const std::vector<SummaryPart>& parts) {
  for (const SummaryPart& p : parts) {
    if (p.kind == SummaryPart::kRef) return true;
    if (p.kind == SummaryPart::kGroup && HasPlaceholder(p.group)) return true;
  }
  return false;
}

// A summary template from text[*pos] up to the end or a ']' closing a group.
// `brackets_group`: the whole template pairs its brackets.
Result<std::vector<SummaryPart>> CompileParts(const std::string& text, const StructShape& data,
                                              bool brackets_group, size_t* pos, int depth) {
  std::vector<SummaryPart> parts;
  std::string literal;
  auto flush = [&] {
    if (literal.empty()) return;
    SummaryPart p;
    p.kind = SummaryPart::kText;
    p.text = std::move(literal);
    literal.clear();
    parts.push_back(std::move(p));
  };
  RefScope scope;
  scope.data = &data;
  scope.effective = true;
  while (*pos < text.size()) {
    const char c = text[(*pos)++];
    if (c == '{') {
      const size_t end = text.find('}', *pos);
      if (end == std::string::npos) return Status::InvalidArgument("'{' without '}'");
      const std::string name = text.substr(*pos, end - *pos);
      *pos = end + 1;
      flush();
      SummaryPart p;
      p.kind = SummaryPart::kRef;
      p.text = name.substr(name.rfind('.') == std::string::npos ? 0 : name.rfind('.') + 1);
      auto ref = CompileRef(name == "effective" ? name : "data." + name, scope);
      if (!ref.ok()) return Status::InvalidArgument("{" + name + "}: " + ref.status().message());
      p.ref = std::move(ref).value();
      parts.push_back(std::move(p));
    } else if (c == '[' && brackets_group) {
      auto group = CompileParts(text, data, brackets_group, pos, depth + 1);
      if (!group.ok()) return group.status();
      if (!HasPlaceholder(*group)) {
        // Brackets around plain text ("see [1]") are text.
        literal += "[";
        for (const SummaryPart& g : *group) literal += g.text;
        literal += "]";
        continue;
      }
      flush();
      SummaryPart p;
      p.kind = SummaryPart::kGroup;
      p.group = std::move(group).value();
      parts.push_back(std::move(p));
    } else if (c == ']' && brackets_group) {
      if (depth == 0) return Status::InvalidArgument("']' without '['");
      flush();
      return parts;
    } else {
      literal.push_back(c);
    }
  }
  if (depth > 0) return Status::InvalidArgument("'[' without ']'");
  flush();
  return parts;
}

}  // namespace

Result<std::vector<SummaryPart>> CompileSummary(const std::string& text,
                                                const StructShape& data) {
  // Brackets group only when they pair up; otherwise they are text ("[sic").
  int depth = 0;
  for (char c : text) {
    depth += c == '[' ? 1 : c == ']' ? -1 : 0;
    if (depth < 0) break;
  }
  size_t pos = 0;
  return CompileParts(text, data, depth == 0, &pos, 0);
}

}  // namespace internal
}  // namespace annals

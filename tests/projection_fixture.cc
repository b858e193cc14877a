// Copyright annals authors.
//
// The event builders and helpers of projection_fixture.h.

#include "projection_fixture.h"

#include <map>
#include <string>
#include <vector>

namespace annals {
namespace test {

// One JSON Lines event of stream "deal".
std::string Ev(const std::string& id, const std::string& type, const std::string& effective,
               const std::string& data, const std::string& publisher) {
  std::string out = "{\"id\":\"" + id + "\",\"stream\":\"" + kStream + "\",\"type\":\"" + type +
                    "\"";
  if (!effective.empty()) out += ",\"effective\":\"" + effective + "\"";
  if (!publisher.empty()) out += ",\"source\":{\"publisher\":\"" + publisher + "\"}";
  return out + ",\"data\":" + data + "}";
}

std::string Talks(const std::string& id, const std::string& eff, const std::string& partner,
                  const std::string& status, const std::string& reason) {
  std::string data = "{\"partner\":\"" + partner + "\",\"status\":\"" + status + "\"";
  if (!reason.empty()) data += ",\"reason\":\"" + reason + "\"";
  return Ev(id, "partner_talks", eff, data + "}");
}
std::string Chosen(const std::string& id, const std::string& eff, const std::string& partner,
                   const std::string& role) {
  std::string data = "{\"partner\":\"" + partner + "\"";
  if (!role.empty()) data += ",\"role\":\"" + role + "\"";
  return Ev(id, "partner_chosen", eff, data + "}");
}
std::string Filed(const std::string& id, const std::string& eff, const std::string& regulator,
                  const std::string& scope) {
  return Ev(id, "submission_filed", eff,
            "{\"regulator\":\"" + regulator + "\",\"scope\":\"" + scope + "\"}");
}
std::string Decided(const std::string& id, const std::string& eff, const std::string& regulator,
                    const std::string& decision) {
  return Ev(id, "submission_decided", eff,
            "{\"regulator\":\"" + regulator + "\",\"decision\":\"" + decision + "\"}");
}
std::string Target(const std::string& id, const std::string& eff, const std::string& target) {
  return Ev(id, "launch_target_set", eff,
            "{\"target\":\"" + target + "\",\"scope\":\"zh-Hans\"}");
}
std::string Launched(const std::string& id, const std::string& eff) {
  return Ev(id, "launched", eff, "{\"scope\":\"zh-Hans\",\"release\":\"iOS 18.4\"}");
}
std::string Fact(const std::string& id, const std::string& eff, const std::string& key,
                 const std::string& value) {
  return Ev(id, "fact", eff, "{\"key\":\"" + key + "\",\"value\":\"" + value + "\"}");
}
std::string Note(const std::string& id, const std::string& eff) {
  return Ev(id, "note", eff, "{\"text\":\"context\"}");
}
std::string Correct(const std::string& id, const std::string& target,
                    const std::string& effective, const std::string& data) {
  std::string d = "{\"target\":\"" + target + "\"";
  if (!effective.empty()) d += ",\"effective\":\"" + effective + "\"";
  if (!data.empty()) d += ",\"data\":" + data;
  return Ev(id, "correction", "", d + ",\"reason\":\"fix\"}");
}
std::string Retract(const std::string& id, const std::string& target) {
  return Ev(id, "retraction", "", "{\"target\":\"" + target + "\",\"reason\":\"wrong\"}");
}

std::map<std::string, std::string> ChangeMap(const std::vector<Change>& changes) {
  std::map<std::string, std::string> m;
  for (const auto& c : changes) m[c.path] = c.from_json + " -> " + c.to_json;
  return m;
}

}  // namespace test
}  // namespace annals

// sops/redact: keeps decrypted values out of everything chaos prints or records.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace chaos {

// Replaces every known secret value, and the forms it commonly takes on its way through other
// programs (base64, a JSON string's escaping, URL percent-encoding), with "[redacted]". Values
// shorter than kMinimumLength are not treated as secrets: replacing every "1" or "yes" in the
// output would make it unreadable and protects nothing (docs/secrets.md says so).
class Redactor {
 public:
  static constexpr size_t kMinimumLength = 4;
  static constexpr std::string_view kMark = "[redacted]";

  void add(std::string_view value);
  void add_all(const std::vector<std::string>& values);
  bool empty() const { return needles_.empty(); }
  std::string apply(std::string_view text) const;

 private:
  void add_needle(std::string needle);
  std::vector<std::string> needles_;  // longest first, so a value inside another goes second
};

}  // namespace chaos

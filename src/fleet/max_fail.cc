#include "fleet/max_fail.h"

#include <charconv>
#include <string>

namespace chaos {

nlohmann::json MaxFail::param() const {
  if (percent) return {{"percent", value}};
  return {{"hosts", static_cast<long long>(value)}};
}

Result<MaxFail> parse_max_fail(std::string_view text) {
  const std::string shown(text);
  Error bad("--max-fail takes a number of hosts (3) or a percentage of them (25%), not '" + shown + "'");
  MaxFail limit;
  if (!text.empty() && text.back() == '%') {
    limit.percent = true;
    text.remove_suffix(1);
  }
  if (text.empty() || text.size() > 12) return bad;
  if (limit.percent) {
    // from_chars for double: digits and one dot only (no signs, exponents, inf or nan).
    if (text.find_first_not_of("0123456789.") != std::string_view::npos) return bad;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), limit.value);
    if (ec != std::errc() || end != text.data() + text.size()) return bad;
    if (limit.value >= 100) return Error("--max-fail " + shown + " would never stop the run; leave it out instead");
    return limit;
  }
  long long hosts = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), hosts);
  if (ec != std::errc() || end != text.data() + text.size() || hosts < 0) return bad;
  limit.value = static_cast<double>(hosts);
  return limit;
}

}  // namespace chaos

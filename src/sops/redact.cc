#include "sops/redact.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace chaos {
namespace {

std::string base64(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
    for (int shift : {18, 12, 6, 0}) out += kAlphabet[(v >> shift) & 63];
  }
  if (i < in.size()) {
    unsigned v = (unsigned char)in[i] << 16 | (i + 1 < in.size() ? (unsigned char)in[i + 1] << 8 : 0u);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string percent_encoded(std::string_view in) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : in) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

void Redactor::add_needle(std::string needle) {
  if (needle.size() < kMinimumLength) return;
  if (std::find(needles_.begin(), needles_.end(), needle) != needles_.end()) return;
  auto at =
      std::find_if(needles_.begin(), needles_.end(), [&](const std::string& n) { return n.size() < needle.size(); });
  needles_.insert(at, std::move(needle));
}

void Redactor::add(std::string_view value) {
  if (value.size() < kMinimumLength) return;
  add_needle(std::string(value));
  // A multi-line value (a key, a certificate) is also found line by line: a log shows one line.
  for (size_t start = 0; start < value.size();) {
    size_t end = value.find('\n', start);
    if (end == std::string_view::npos) end = value.size();
    if (end - start != value.size()) add_needle(std::string(value.substr(start, end - start)));
    start = end + 1;
  }
  // Replace, not throw, on invalid UTF-8: a value is redacted whatever bytes it holds.
  std::string escaped =
      nlohmann::json(std::string(value)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  add_needle(escaped.substr(1, escaped.size() - 2));
  std::string b64 = base64(value);
  add_needle(b64);
  while (!b64.empty() && b64.back() == '=') b64.pop_back();  // as it is found without padding
  add_needle(b64);
  add_needle(percent_encoded(value));
}

void Redactor::add_all(const std::vector<std::string>& values) {
  for (const auto& v : values) add(v);
}

std::string Redactor::apply(std::string_view text) const {
  std::string out(text);
  for (const auto& needle : needles_) {
    for (size_t at = out.find(needle); at != std::string::npos; at = out.find(needle, at + kMark.size())) {
      out.replace(at, needle.size(), kMark);
    }
  }
  return out;
}

}  // namespace chaos

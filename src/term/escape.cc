#include "term/escape.h"

#include <cstdint>
#include <cstdio>

namespace chaos {
namespace {

void hex_byte(unsigned char c, std::string& out) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02x", c);
  out += buf;
}

void hex_code_point(uint32_t cp, std::string& out) {
  char buf[12];
  std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
  out += buf;
}

// Code points a terminal acts on instead of showing: C1 controls (CSI is U+009B), and the
// bidirectional embeddings, overrides and isolates that reorder what is displayed
// ("Trojan Source"); line and paragraph separators break lines in some terminals.
bool is_invisible_control(uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
         cp == 0x2028 || cp == 0x2029 || cp == 0x200e || cp == 0x200f || cp == 0x061c;
}

// Length of the well-formed UTF-8 sequence at text[i] and its code point; 0 when the bytes
// there are not UTF-8 (overlong, surrogate, beyond U+10FFFF, truncated).
size_t decode_utf8(std::string_view text, size_t i, uint32_t& cp) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(i);
  size_t length = 0;
  uint32_t min = 0;
  if (lead >= 0xc2 && lead <= 0xdf) {
    length = 2, cp = lead & 0x1fu, min = 0x80;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    length = 3, cp = lead & 0x0fu, min = 0x800;
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    length = 4, cp = lead & 0x07u, min = 0x10000;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3fu);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return length;
}

std::string escape(std::string_view text, bool keep_newlines) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (c == '\n' && keep_newlines) {
        out += '\n';
      } else if (c == '\n') {
        out += "\\n";
      } else if (c == '\r') {
        out += "\\r";
      } else if (c == '\t' || (c >= 0x20 && c < 0x7f)) {
        out += static_cast<char>(c);
      } else {
        hex_byte(c, out);  // the other C0 controls (ESC, BEL, backspace, ...) and DEL
      }
      ++i;
      continue;
    }
    uint32_t cp = 0;
    size_t length = decode_utf8(text, i, cp);
    if (length == 0) {
      hex_byte(c, out);
      ++i;
    } else {
      if (is_invisible_control(cp)) {
        hex_code_point(cp, out);
      } else {
        out.append(text.substr(i, length));
      }
      i += length;
    }
  }
  return out;
}

}  // namespace

std::string visible(std::string_view text) { return escape(text, false); }

std::string visible_lines(std::string_view text) { return escape(text, true); }

}  // namespace chaos

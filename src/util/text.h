// Small string helpers shared by every concern.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace chaos {

// The items with `separator` between them: join({"a", "b"}) == "a, b".
std::string join(const std::vector<std::string>& items, std::string_view separator = ", ");

// The pieces of `text` between `separator`s, empty ones included: split("a::b", ':') is
// {"a", "", "b"}; an empty text is one empty piece.
std::vector<std::string> split(std::string_view text, char separator);

// The lines of a text, without their newlines; a last line without one counts, an empty text
// has none.
std::vector<std::string> split_lines(std::string_view text);

// The text without leading and trailing spaces, tabs, carriage returns and newlines.
std::string trim(std::string_view text);

// ASCII lower case (names, file suffixes); other bytes unchanged.
std::string lower(std::string_view text);

// Orders names as people number them: "web-2" before "web-10" (runs of digits compare as
// numbers), everything else byte by byte. Names that differ only in leading zeros ("a01", "a1")
// are still distinct and ordered, so it can key a map.
bool natural_less(std::string_view a, std::string_view b);
struct NaturalLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return natural_less(a, b); }
};

// The environment variable's value, or "" when it is not set.
std::string env_or_empty(const char* name);

}  // namespace chaos

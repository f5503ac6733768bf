// Editing a YAML document as text, keeping everything but the edited value byte for byte
// (comments, blank lines, key order, quoting, the trailing newline): `chaos set` edits config.yml
// and `chaos secrets` edits the creation rules of .sops.yaml, files people write by hand.
//
// The document must be one block mapping at the top (or empty). Nodes are located through
// yaml-cpp's marks and the text is spliced; every edit is then checked by parsing the result
// again: the value at the path must be the one written and the rest of the data unchanged, or
// the edit is an error and no text is returned. What cannot be edited safely is refused rather
// than guessed: anchors and aliases in the edited value, several documents, flow mappings and
// flow lists on the way to the value, explicit keys (`? k`), CR line endings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"

namespace chaos {

// One step of a key path: a mapping key or a list index ({"creation_rules", 0, "age"}).
struct YamlPathStep {
  YamlPathStep(const char* k) : key(k) {}               // NOLINT: implicit by design
  YamlPathStep(std::string k) : key(std::move(k)) {}    // NOLINT: implicit by design
  YamlPathStep(size_t i) : index(i), is_index(true) {}  // NOLINT: implicit by design
  // A negative index names no item (the edit then fails as for any index past the end).
  YamlPathStep(int i) : index(i < 0 ? SIZE_MAX : static_cast<size_t>(i)), is_index(true) {}  // NOLINT

  std::string key;
  size_t index = 0;
  bool is_index = false;
};
using YamlPath = std::vector<YamlPathStep>;

// `a.b[0].c`: how a path is named in messages.
std::string format_yaml_path(const YamlPath& path);

// A scalar to write. A string is quoted whenever a reader could take it for anything else
// (`"true"`, `"2"`, `"a: b"`); a plain value is written as it is, for the numbers and booleans a
// reader must see typed (`shamir_threshold: 2`), and must read back as that same plain text.
struct YamlScalar {
  std::string text;
  bool plain = false;

  static YamlScalar string(std::string s) { return {std::move(s), false}; }
  static YamlScalar plain_value(std::string s) { return {std::move(s), true}; }
};

// The edited document; `changed` is false when the document already held what was asked (the
// value was already set, the item already in the list or not in it), and `text` is then the
// input unchanged.
struct YamlEdited {
  std::string text;
  bool changed = false;
};

// `text` as a scalar yaml-cpp reads back as exactly `text` (a string, never a number or a bool):
// plain when that is safe in YAML 1.1 and 1.2 readers alike, double-quoted otherwise. `in_flow`
// is for an item of a flow list (`[a, b]`), where `,[]{}` must be quoted too. `text` must be
// valid UTF-8 (the edits below refuse anything else).
std::string yaml_quote(std::string_view text, bool in_flow = false);

// Sets the value at `path` to a scalar, creating missing mapping keys at the end of their
// mapping (indented as its other keys). The old value may be a scalar, empty or a list; a
// mapping is never replaced. `source` names the document in errors (`source:line:col`).
Result<YamlEdited> yaml_set_scalar(std::string_view text, const std::string& source, const YamlPath& path,
                                   const YamlScalar& value);

// Sets the value at `path` to a list of strings: a flow list when the old value was one, a
// block list otherwise (`[]` when empty). Creates missing keys as yaml_set_scalar does.
Result<YamlEdited> yaml_set_list(std::string_view text, const std::string& source, const YamlPath& path,
                                 const std::vector<std::string>& items);

// Appends `item` to the list at `path`, keeping its form: a block list, a flow list, or a string
// of comma-separated items (sops' `age: "age1..,age1.."`, also as a `>-` block). Nothing
// changes when the item is already there.
Result<YamlEdited> yaml_list_add(std::string_view text, const std::string& source, const YamlPath& path,
                                 std::string_view item);

// Removes every item equal to `item` from the list at `path`, in whichever of the forms above.
// Nothing changes when the item is not there. An emptied block list becomes `[]`.
Result<YamlEdited> yaml_list_remove(std::string_view text, const std::string& source, const YamlPath& path,
                                    std::string_view item);

// Removes the key at the end of `path` with its value. Nothing changes when it is not there.
Result<YamlEdited> yaml_remove_key(std::string_view text, const std::string& source, const YamlPath& path);

}  // namespace chaos

// sops/document: a decrypted secrets file, held in memory only, and what is read out of it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"
#include "util/yaml_text.h"

namespace chaos {

// sops' plaintext output and the data it holds. The text is what legacy roles receive and what
// `secrets print` shows; the data is what keys are looked up in.
struct SecretsDocument {
  std::string text;
  ordered_json data;
};
// Parses sops' output (YAML, or JSON, which is YAML too). The top level must be a mapping.
Result<SecretsDocument> parse_secrets(std::string text, const std::string& source);

// "a.b.c" looked up in nested mappings; "." is the whole document. nullptr when absent.
const ordered_json* lookup_dot_path(const ordered_json& data, std::string_view path);

// Every leaf's dot path ("user_secrets.alice.password"), in document order: `check secrets`
// lists these, never the values.
std::vector<std::string> secret_key_paths(const ordered_json& data);

// A scalar as a user reads it: a string as it is, anything else as JSON (5432, true, null).
std::string scalar_text(const ordered_json& value);

// Every scalar value in the document, as text: what must never be shown (secrets/redact.h).
std::vector<std::string> secret_values(const ordered_json& data);

}  // namespace chaos

// What sops decrypted, on any bytes: parsed or refused, never a crash; and whatever it holds,
// the redactor leaves no value of it (4 bytes or more) in text that contained it.
#include <cstdlib>

#include "fuzz_support.h"
#include "sops/document.h"
#include "sops/redact.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chaos;
  auto doc = parse_secrets(std::string(fuzz::as_text(data, size)), "secrets.yml");
  if (!doc) return 0;
  (void)secret_key_paths(doc->data);
  for (const auto& key : secret_key_paths(doc->data)) (void)lookup_dot_path(doc->data, key);
  (void)lookup_dot_path(doc->data, "a.b");
  auto values = secret_values(doc->data);
  Redactor redactor;
  redactor.add_all(values);
  std::string text;
  for (const auto& v : values) text += "value=" + v + "\n";
  std::string redacted = redactor.apply(text);
  for (const auto& v : values) {
    // The markers spell some values themselves ("dact"), and with a bracket, with what follows
    // them ("acted]\nvalue="): not leaks, so not checked.
    bool markers_spell_it =
        v.find_first_of("[]") != std::string::npos || std::string(Redactor::kMark).find(v) != std::string::npos;
    if (v.size() >= Redactor::kMinimumLength && !markers_spell_it && redacted.find(v) != std::string::npos)
      std::abort();
  }
  return 0;
}

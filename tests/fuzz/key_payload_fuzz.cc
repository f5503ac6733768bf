// A password-manager item's text, on any bytes, read as each key type: parsed or refused, never
// a crash, never more than the decompression limit held in memory; and what chaos writes for a
// key reads back as that key.
#include <cstdlib>

#include "fuzz_support.h"
#include "sops/key_payload.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace chaos;
  std::string text(fuzz::as_text(data, size));
  for (KeyType type : {KeyType::age, KeyType::gpg, KeyType::vault}) {
    auto parsed = parse_key_payload(type, text, "item");
    if (parsed) (void)sops_keys_from(*parsed, "item");
  }
  auto decoded = base85_decode(text);
  if (decoded && base85_decode(base85_encode(*decoded)) != decoded) std::abort();
  auto written = gpg_payload({}, text, false);
  if (written && !text.empty()) {
    auto back = parse_key_payload(KeyType::gpg, *written, "item");
    if (!back || back->secret != text) std::abort();
  }
  return 0;
}

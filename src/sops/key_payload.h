// sops/key_payload: the text a password-manager item holds for a sops key, in the formats the
// original tool wrote (docs/secrets-providers.md, "What an item holds"), so that items exported
// by either tool are read by both:
//   age    one block per key pair: `# created: …`, `# public key: age1…`, `AGE-SECRET-KEY-1…`;
//   gpg    `# fingerprints: ['FP', …]`, then the secret keys between BEGIN/END PGP PRIVATE KEY
//          BLOCK lines as base85 of zlib (level 9) with `$;|&{` swapped for `.,[]:` (small enough
//          for Bitwarden's 10 KB notes, and safe in every provider's value syntax);
//   vault  `# Vault Address:: URL` and `Vault Key: TOKEN`.
// A `# NO-IMPORT` line anywhere marks an item `chaos secrets import` must refuse.
//
// The text comes from outside (a provider, a user's paste): parsing never trusts a length or a
// count in it, and decompression stops at a fixed size.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sops/sops.h"
#include "util/error.h"

namespace chaos {

enum class KeyType { age, gpg, vault };

// "age", "gpg" (or the original's "pgp"), "vault"; anything else is nullopt.
std::optional<KeyType> key_type_named(std::string_view name);
const char* key_type_name(KeyType type);

struct KeyPayload {
  KeyType type = KeyType::age;
  std::vector<std::string> public_keys;  // age recipients, gpg fingerprints; vault: the address
  std::string secret;                    // age: identity lines; gpg: `gpg --export-secret-keys` bytes; vault: token
  bool no_import = false;                // a `# NO-IMPORT` line was there
};

// Reads an item's text as a key of `type`. `source` names the item in errors ("bw item X").
Result<KeyPayload> parse_key_payload(KeyType type, std::string_view text, const std::string& source);

// The item text for keys read from an age key file (what age-keygen writes). Every secret key
// needs its `# public key:` line, as age-keygen writes it; the counts must match.
Result<std::string> age_payload(std::string_view key_file_text, bool no_import);
// The item text for gpg secret keys (binary `gpg --export-secret-keys` output).
Result<std::string> gpg_payload(const std::vector<std::string>& fingerprints, std::string_view secret_keys,
                                bool no_import);
// The item text for a Vault token. The token must look like one (hvs.…, s.…, or `token X`).
Result<std::string> vault_payload(const std::string& address, std::string_view token, bool no_import);

// What sops needs from a payload: the age identities, the gpg secret keys to import into a
// private home, or the Vault token for hc_vault rules.
Result<SopsKeys> sops_keys_from(const KeyPayload& payload, const std::string& source);

// Python-compatible base85 (base64.b85encode / b85decode), exposed for the tests.
std::string base85_encode(std::string_view bytes);
std::optional<std::string> base85_decode(std::string_view text);

}  // namespace chaos

#include "sops/key_payload.h"

#include <zlib.h>

#include <array>
#include <regex>

#include "util/text.h"

namespace chaos {
namespace {

constexpr std::string_view kNoImport = "# NO-IMPORT";
constexpr std::string_view kGpgBegin = "-----BEGIN PGP PRIVATE KEY BLOCK-----";
constexpr std::string_view kGpgEnd = "-----END PGP PRIVATE KEY BLOCK-----";
constexpr std::string_view kVaultAddress = "# Vault Address::";
constexpr std::string_view kVaultKey = "Vault Key:";
// A decompressed gpg export larger than this is refused: real secret keys are a few KB, and the
// text came from outside (a crafted item must not make chaos allocate gigabytes).
constexpr size_t kMaxSecretKeyBytes = size_t{4} << 20;

constexpr std::string_view kBase85Alphabet =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~";
// The original swapped these base85 characters so the text survives providers that treat them
// specially; we write and read the same swap.
constexpr std::array<std::pair<char, char>, 5> kSwaps = {{{'$', '.'}, {';', ','}, {'|', '['}, {'&', ']'}, {'{', ':'}}};

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

std::string_view strip_left(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

std::string with_marker(std::string text, bool no_import) {
  return no_import ? std::string(kNoImport) + "\n" + text : text;
}

bool has_no_import_line(const std::vector<std::string>& lines) {
  for (const auto& line : lines) {
    if (trim(line) == kNoImport) return true;
  }
  return false;
}

Result<std::string> deflate_text(std::string_view bytes) {
  uLongf size = compressBound(static_cast<uLong>(bytes.size()));
  std::string out(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(out.data()), &size, reinterpret_cast<const Bytef*>(bytes.data()),
                static_cast<uLong>(bytes.size()), 9) != Z_OK) {
    return Error("cannot compress the gpg key");
  }
  out.resize(size);
  return out;
}

Result<std::string> inflate_text(std::string_view bytes, const std::string& source) {
  z_stream stream{};
  if (inflateInit(&stream) != Z_OK) return Error("cannot decompress the gpg key", source);
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  std::string out;
  std::array<char, 16384> chunk{};
  int rc = Z_OK;
  while (rc == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk.data());
    stream.avail_out = static_cast<uInt>(chunk.size());
    rc = inflate(&stream, Z_NO_FLUSH);
    out.append(chunk.data(), chunk.size() - stream.avail_out);
    if (out.size() > kMaxSecretKeyBytes) rc = Z_MEM_ERROR;
    if (rc == Z_OK && stream.avail_in == 0 && stream.avail_out != 0) rc = Z_BUF_ERROR;  // input ended early
  }
  inflateEnd(&stream);
  if (rc != Z_STREAM_END) {
    return Error("the gpg key block is damaged (it does not decompress)", source,
                 "export the key again: chaos secrets export PROVIDER -t gpg -f FINGERPRINT -n NAME");
  }
  return out;
}

Result<KeyPayload> parse_age(std::vector<std::string> lines, const std::string& source) {
  KeyPayload payload;
  std::string identities;
  for (const auto& raw : lines) {
    std::string_view line = strip_left(raw);
    if (starts_with(line, "# public key:")) payload.public_keys.push_back(trim(line.substr(13)));
    if (starts_with(line, "AGE-SECRET-KEY-")) identities += trim(line) + "\n";
  }
  if (identities.empty()) {
    return Error("holds no age secret key (no AGE-SECRET-KEY-1... line)", source,
                 "store what age-keygen wrote: chaos secrets export PROVIDER -t age -k keys.txt -n NAME");
  }
  payload.secret = std::move(identities);
  return payload;
}

Result<KeyPayload> parse_gpg(const std::vector<std::string>& lines, const std::string& source) {
  KeyPayload payload;
  payload.type = KeyType::gpg;
  static const std::regex fingerprint("[0-9A-Fa-f]{40}");
  std::string encoded;
  enum { before, inside, after } where = before;
  for (const auto& raw : lines) {
    std::string line = trim(raw);
    if (where == before && starts_with(line, "# fingerprints:")) {
      for (std::sregex_iterator it(line.begin(), line.end(), fingerprint), end; it != end; ++it)
        payload.public_keys.push_back(it->str());
    } else if (line == kGpgBegin) {
      where = inside;
    } else if (line == kGpgEnd) {
      where = after;
    } else if (where == inside) {
      encoded += line;
    }
  }
  if (where != after || encoded.empty()) {
    return Error("holds no gpg key block (BEGIN/END PGP PRIVATE KEY BLOCK lines)", source,
                 "export it with chaos: chaos secrets export PROVIDER -t gpg -f FINGERPRINT -n NAME");
  }
  for (char& c : encoded) {
    for (const auto& [original, swapped] : kSwaps) {
      if (c == swapped) c = original;
    }
  }
  auto compressed = base85_decode(encoded);
  if (!compressed) return Error("the gpg key block is damaged (not base85)", source);
  auto keys = inflate_text(*compressed, source);
  if (!keys) return keys.error();
  payload.secret = std::move(*keys);
  return payload;
}

Result<KeyPayload> parse_vault(const std::vector<std::string>& lines, const std::string& source) {
  KeyPayload payload;
  payload.type = KeyType::vault;
  for (const auto& raw : lines) {
    std::string_view line = strip_left(raw);
    if (starts_with(line, kVaultAddress)) payload.public_keys.push_back(trim(line.substr(kVaultAddress.size())));
    if (starts_with(line, kVaultKey)) payload.secret = trim(line.substr(kVaultKey.size()));
  }
  if (payload.secret.empty() || payload.public_keys.empty()) {
    return Error("holds no Vault token (`# Vault Address:: URL` and `Vault Key: TOKEN` lines)", source);
  }
  return payload;
}

}  // namespace

std::optional<KeyType> key_type_named(std::string_view name) {
  if (name == "age") return KeyType::age;
  if (name == "gpg" || name == "pgp") return KeyType::gpg;
  if (name == "vault") return KeyType::vault;
  return std::nullopt;
}

const char* key_type_name(KeyType type) {
  switch (type) {
    case KeyType::age:
      return "age";
    case KeyType::gpg:
      return "gpg";
    case KeyType::vault:
      return "vault";
  }
  return "age";
}

Result<KeyPayload> parse_key_payload(KeyType type, std::string_view text, const std::string& source) {
  std::vector<std::string> lines = split_lines(text);
  Result<KeyPayload> parsed = type == KeyType::age   ? parse_age(lines, source)
                              : type == KeyType::gpg ? parse_gpg(lines, source)
                                                     : parse_vault(lines, source);
  if (parsed) parsed->no_import = has_no_import_line(lines);
  return parsed;
}

Result<std::string> age_payload(std::string_view key_file_text, bool no_import) {
  std::string out;
  size_t publics = 0, secrets = 0;
  std::string block;
  for (const auto& raw : split_lines(key_file_text)) {
    std::string line = trim(raw);
    if (starts_with(line, "# created:") || starts_with(line, "# public key:")) {
      if (starts_with(line, "# public key:")) ++publics;
      block += line + "\n";
    } else if (starts_with(line, "AGE-SECRET-KEY-")) {
      ++secrets;
      out += (out.empty() ? "" : "\n") + block + line + "\n";
      block.clear();
    }
  }
  if (secrets == 0) return Error("the key file holds no age secret key (AGE-SECRET-KEY-1...)");
  if (publics != secrets) {
    return Error("the key file has " + std::to_string(secrets) + " secret key(s) but " + std::to_string(publics) +
                     " `# public key:` line(s)",
                 {}, "use the file age-keygen wrote, or add the lines: age-keygen -y keys.txt prints the public keys");
  }
  return with_marker(std::move(out), no_import);
}

Result<std::string> gpg_payload(const std::vector<std::string>& fingerprints, std::string_view secret_keys,
                                bool no_import) {
  if (secret_keys.empty()) return Error("gpg exported no secret key for those fingerprints");
  auto compressed = deflate_text(secret_keys);
  if (!compressed) return compressed.error();
  std::string encoded = base85_encode(*compressed);
  for (char& c : encoded) {
    for (const auto& [original, swapped] : kSwaps) {
      if (c == original) c = swapped;
    }
  }
  std::string list;
  for (const auto& fp : fingerprints) list += (list.empty() ? "'" : ", '") + fp + "'";
  std::string out = "# fingerprints: [" + list + "]\n" + std::string(kGpgBegin) + "\n";
  for (size_t at = 0; at < encoded.size(); at += 64) out += encoded.substr(at, 64) + "\n";
  out += std::string(kGpgEnd) + "\n";
  return with_marker(std::move(out), no_import);
}

Result<std::string> vault_payload(const std::string& address, std::string_view token, bool no_import) {
  std::string value = trim(token);
  if (starts_with(value, "token ")) value = trim(value.substr(6));
  if (!(starts_with(value, "hvs.") || starts_with(value, "s.")) ||
      value.find_first_of(" \t\r\n") != std::string::npos) {
    return Error("that is not a Vault token (it starts with hvs. or s.)");
  }
  if (address.empty()) return Error("no Vault address", {}, "pass -a URL or set VAULT_ADDR");
  return with_marker(std::string(kVaultAddress) + " " + address + "\n" + std::string(kVaultKey) + " " + value + "\n",
                     no_import);
}

Result<SopsKeys> sops_keys_from(const KeyPayload& payload, const std::string& source) {
  SopsKeys keys;
  switch (payload.type) {
    case KeyType::age:
      keys.age_identities = payload.secret;
      return keys;
    case KeyType::gpg:
      keys.gpg_secret_keys = payload.secret;
      return keys;
    case KeyType::vault:
      keys.vault_token = payload.secret;
      return keys;
  }
  return Error("unknown key type", source);
}

std::string base85_encode(std::string_view bytes) {
  std::string out;
  for (size_t at = 0; at < bytes.size(); at += 4) {
    size_t n = std::min<size_t>(4, bytes.size() - at);
    uint32_t word = 0;
    for (size_t i = 0; i < 4; ++i) word = (word << 8) | (i < n ? static_cast<unsigned char>(bytes[at + i]) : 0U);
    char chunk[5];
    for (int i = 4; i >= 0; --i) {
      chunk[i] = kBase85Alphabet[word % 85];
      word /= 85;
    }
    out.append(chunk, n + 1);  // a short last group keeps n+1 characters, as Python's does
  }
  return out;
}

std::optional<std::string> base85_decode(std::string_view text) {
  std::array<int, 256> value{};
  value.fill(-1);
  for (size_t i = 0; i < kBase85Alphabet.size(); ++i) value[static_cast<unsigned char>(kBase85Alphabet[i])] = int(i);
  std::string out;
  for (size_t at = 0; at < text.size(); at += 5) {
    size_t n = std::min<size_t>(5, text.size() - at);
    if (n == 1) return std::nullopt;  // one character encodes no byte
    uint64_t word = 0;
    for (size_t i = 0; i < 5; ++i) {
      int digit = i < n ? value[static_cast<unsigned char>(text[at + i])] : 84;  // padded with '~'
      if (digit < 0) return std::nullopt;
      word = word * 85 + static_cast<uint64_t>(digit);
    }
    if (word > 0xffffffffULL) return std::nullopt;
    for (size_t i = 0; i < n - 1; ++i) out.push_back(static_cast<char>((word >> (24 - 8 * i)) & 0xff));
  }
  return out;
}

}  // namespace chaos
